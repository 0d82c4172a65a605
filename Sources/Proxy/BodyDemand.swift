import NIOCore

/// A connection handler that feeds a streamed body (``InboundBody`` from a caller,
/// ``UpstreamBody`` from an upstream) to its reader and holds its reads while the reader
/// is behind. Bodies are numbered per connection so a late call about an earlier one is
/// ignored. Both methods are called on the connection's event loop.
protocol BodyProducer: AnyObject, SendableMetatype {
    /// The reader of body `number` wants more.
    func bodyDemanded(_ number: Int)
    /// The reader of body `number` stopped before its end.
    func bodyAbandoned(_ number: Int)
}

/// Passes a body reader's demand back to its connection, on the connection's loop.
struct BodyDemand<Connection: BodyProducer>: NIOAsyncSequenceProducerDelegate {
    let connection: NIOLoopBound<Connection>
    /// Which of the connection's bodies this is.
    let number: Int

    func produceMore() {
        let connection = connection, number = number
        connection.eventLoop.execute { connection.value.bodyDemanded(number) }
    }

    func didTerminate() {
        let connection = connection, number = number
        connection.eventLoop.execute { connection.value.bodyAbandoned(number) }
    }
}
