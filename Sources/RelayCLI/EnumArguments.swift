import ArgumentParser
import RelayCore

// The relay's enums as option values: a value that is not one of their cases is refused by the
// parser, which lists the cases in the help and the error.

extension WebhookKind: ExpressibleByArgument {}
extension MessageFormat: ExpressibleByArgument {}
extension AttemptOutcome: ExpressibleByArgument {}
extension MessageStatus: ExpressibleByArgument {}
extension InboundProvider: ExpressibleByArgument {}
