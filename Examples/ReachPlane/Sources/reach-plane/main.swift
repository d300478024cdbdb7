// ewm-sim's command line with reach-plane registered: `reach-plane list`, `reach-plane collect reach-plane ...`,
// `reach-plane train --env reach-plane ...`, `reach-plane eval closed-loop --env reach-plane ...`.
#if canImport(EWMSimCLI)
import EWMSimCLI
import ReachPlane

EWMSimCommand.main(registering: [ReachPlaneEnv.registration])
#else
import Foundation

FileHandle.standardError.write(Data("""
    reach-plane was built without ewm-sim's EWMSimCLI product: enable the marked dependency line in
    Examples/ReachPlane/Package.swift (the library and its tests do not need it).

    """.utf8))
exit(1)
#endif
