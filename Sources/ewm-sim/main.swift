import EWMSimCLI

EWMSimCommand.main()
