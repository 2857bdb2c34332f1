import ExpungeCLI

// Everything lives in ExpungeCLI so tests can run commands in-process.
ExpungeCommandLine.main()
