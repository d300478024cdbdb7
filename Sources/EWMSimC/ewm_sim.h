/* ewm_sim.h: the C ABI of libEWMSimC (swift build -c release --product EWMSimC), version 1.
 *
 * A handle holds N envs of one registered id with the same options. Reset and step work on all N in one call
 * (split over worker threads), reading actions from and writing results into caller buffers: no allocation in
 * the library's own code per step, no JSON. Every function that can fail returns a status (EWM_OK or an error
 * code) and never aborts on bad input; ewm_last_error gives the calling thread's last message. An action batch
 * with a wrong size or a non-finite value is rejected before any env moves, so every env stays as it was.
 *
 * Buffers, for a handle of N envs: observations N x obs_bytes (row i at i * obs_bytes, float64 or uint8 as the
 * observation space's dtype); rewards N doubles; terminated/truncated N bytes (0/1); info N x info_width doubles
 * and info_present N x info_fields bytes (field k of env i present when info_present[i * info_fields + k] == 1;
 * an absent field's doubles are NaN). Any output pointer may be NULL (not written).
 */
#ifndef EWM_SIM_H
#define EWM_SIM_H
#include <stdint.h>

#define EWM_OK 0
#define EWM_INVALID_ARGUMENT 1 /* bad option, size or index */
#define EWM_UNKNOWN_ENVIRONMENT 2
#define EWM_INVALID_ACTION 3 /* wrong size or non-finite; nothing moved */
#define EWM_INVALID_STATE 4  /* a reset state the env refuses */
#define EWM_NEEDS_RESET 5    /* step before the first reset */
#define EWM_UNSUPPORTED 6    /* e.g. render of an env that cannot draw */
#define EWM_BUFFER_TOO_SMALL 7
#define EWM_INTERNAL 8

int32_t ewm_abi_version(void);
/* Text results: copied NUL-terminated and cut to `capacity`; the return value is the full length. */
int64_t ewm_last_error(char *buffer, int64_t capacity);
int64_t ewm_registry_ids(char *buffer, int64_t capacity); /* one id a line */
/* key=value lines: id, summary, observation_types (comma-separated, the default first), options (the env's extra
 * option keys), max_episode_steps, control_hz, renders (0/1). */
int32_t ewm_registry_describe(const char *id, char *buffer, int64_t capacity, int64_t *length);

/* observation: a type name or NULL (default); rotation: "frame", "world" or NULL (frame); extra options as
 * key/value strings (only the env's own keys); max_episode_steps: -1 the registry's, 0 none, n > 0;
 * autoreset: 0 disabled, 1 next step (Gymnasium 1.x's default); threads: 0 one per core. */
int32_t ewm_create(const char *id, int32_t count, const char *observation, double orientation, const char *rotation,
                   const char *const *extra_keys, const char *const *extra_values, int32_t extra_count,
                   int32_t max_episode_steps, int32_t autoreset, int32_t threads, void **handle);
void ewm_destroy(void *handle);

int32_t ewm_layout(void *handle, int64_t *count, int64_t *obs_bytes, int64_t *info_width, int64_t *info_fields);
/* which: 0 observation, 1 action. dtype: 0 float64, 1 uint8. */
int32_t ewm_space(void *handle, int32_t which, int32_t *dtype, int32_t *rank, int64_t *shape, int32_t shape_capacity,
                  int64_t *count);
int32_t ewm_space_bounds(void *handle, int32_t which, double *low, double *high);
/* kind: 0 double, 1 int, 2 bool, 3 array of doubles (length values at offset). */
int32_t ewm_info_field(void *handle, int64_t index, char *name, int64_t capacity, int32_t *kind, int64_t *offset,
                       int64_t *length);

/* mask: which envs to reset (NULL: all); seeds where has_seed (NULL has_seed: all given; NULL seeds: none);
 * states (state_length doubles per env) where has_state (NULL: all selected; NULL states: none). */
int32_t ewm_reset(void *handle, const uint8_t *mask, const uint64_t *seeds, const uint8_t *has_seed,
                  const double *states, int64_t state_length, const uint8_t *has_state, void *observations,
                  double *info, uint8_t *info_present);
/* actions: N x action_length doubles. With next-step autoreset, an env that ended at the previous step is reset
 * instead (its action ignored; reward 0, flags 0, its reset observation and info). */
int32_t ewm_step(void *handle, const double *actions, int64_t action_length, void *observations, double *rewards,
                 uint8_t *terminated, uint8_t *truncated, double *info, uint8_t *info_present);
/* height x width x 3 RGB bytes of env `index`. */
int32_t ewm_render(void *handle, int64_t index, int32_t width, int32_t height, uint8_t *pixels);

#endif
