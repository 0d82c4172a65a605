// SpanExport module (in progress)
