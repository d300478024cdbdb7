// ewm-sim's command line with reach-plane registered: `reach-plane list`, `reach-plane collect reach-plane ...`,
// `reach-plane train --env reach-plane ...`, `reach-plane eval closed-loop --env reach-plane ...`.
import EWMSimCLI
import ReachPlane

EWMSimCommand.main(registering: [ReachPlaneEnv.registration])
