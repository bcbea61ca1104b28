import RelayCLI

await AuditRelayCommand.runFromCommandLine()
