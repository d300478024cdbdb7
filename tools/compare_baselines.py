import json,re,struct,sys,os,glob
# Compares two output folders of tools/behaviour_baseline.sh (one per binary): text outputs with timings and the
# output folder normalised, checkpoints without their command line, shards and dumps byte for byte.
A,B=sys.argv[1],sys.argv[2]
def norm(t,d):
    t=t.replace(d,'D').replace(d.replace('/','\\/'),'D')
    t=re.sub(r'"(secondsPerPlan|secondsPerEpisode|seconds|threads|planSeconds|stepsPerSecond)" : [0-9.e+-]+','"\\1" : T',t)
    t=re.sub(r'in [0-9.]+ s','in T s',t); t=re.sub(r'\([0-9.]+ s\)','(T s)',t); t=re.sub(r', [0-9.]+ s\)',', T s)',t)
    return t
for f in sorted(glob.glob(A+"/*.out")):
    if not os.path.exists(B+"/"+os.path.basename(f)): print("only in A", os.path.basename(f)); continue
    n=os.path.basename(f); a=norm(open(f).read(),A); b=norm(open(B+'/'+n).read(),B)
    print('same' if a==b else 'DIFF', n)
def st(p,d):
    b=open(p,'rb').read(); n=struct.unpack('<Q',b[:8])[0]; h=json.loads(b[8:8+n]); m=h.pop('__metadata__',{})
    m={k:v.replace(d,'D').replace(d.replace('/','\\/'),'D') for k,v in m.items()}
    return m,h,b[8+n:]
for p in sorted(glob.glob(A+'/*/checkpoint.safetensors')):
    r=p[len(A):]; print('same' if st(p,A)==st(B+r,B) else 'DIFF', r)
for p in sorted(glob.glob(A+'/**/*.npz',recursive=True)):
    r=p[len(A):]; print('same' if open(p,'rb').read()==open(B+r,'rb').read() else 'DIFF', r)
