/// Which proxy a route set is for.
public enum ConfigKind: String, Sendable, Hashable {
    /// ALB-like edge: listener rules by priority forwarding to weighted target groups.
    case edge
    /// API gateway: path routes to weighted target groups, with retries and timeouts.
    case gateway
    /// Istio-style sidecar: `VirtualService` http routes.
    case sidecar
}

/// An ordered list of routes that one table is compiled from: one edge listener, the
/// gateway's routes, or one `VirtualService`.
public struct RouteSet: Sendable, Hashable {
    /// Which shape it came from.
    public var kind: ConfigKind
    /// `VirtualService` name, `gateway`, or `listener :8080`.
    public var name: String
    /// `VirtualService` namespace.
    public var namespace: String?
    /// Hosts the set serves (`VirtualService.spec.hosts`); empty for edge and gateway.
    public var hosts: [String]
    /// Listening port (edge listener, optional gateway `port`).
    public var port: Int?
    /// Routes in evaluation order (first match wins).
    public var routes: [Route]
    /// Edge access-log settings, when configured.
    public var accessLog: AccessLogSettings?
    /// Where the set was written.
    public var location: SourceLocation

    /// Creates a route set.
    public init(
        kind: ConfigKind, name: String, namespace: String? = nil, hosts: [String] = [], port: Int? = nil,
        routes: [Route], accessLog: AccessLogSettings? = nil, location: SourceLocation
    ) {
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.hosts = hosts
        self.port = port
        self.routes = routes
        self.accessLog = accessLog
        self.location = location
    }
}

/// ALB-format access logs written by the edge.
public struct AccessLogSettings: Sendable, Hashable {
    /// Directory the log files go to.
    public var directory: String
    /// Seconds per file (ALB: 300).
    public var rotateSeconds: Int
    /// Whether files are gzip-compressed (ALB: yes).
    public var gzip: Bool
    /// A file is also closed once it holds this many (uncompressed) bytes. Default nil: time only.
    public var rotateBytes: Int?

    /// Creates settings; defaults are ALB's.
    public init(directory: String, rotateSeconds: Int = 300, gzip: Bool = true, rotateBytes: Int? = nil) {
        self.directory = directory
        self.rotateSeconds = rotateSeconds
        self.gzip = gzip
        self.rotateBytes = rotateBytes
    }
}

/// Addresses of hosts and their subsets, the role Kubernetes Services and Istio
/// `DestinationRule` subsets play. Keyed by host.
public struct Endpoints: Sendable, Hashable {
    /// One host's addresses.
    public struct Host: Sendable, Hashable {
        /// Addresses used when a destination names no subset.
        public var addresses: [String]
        /// Addresses per subset name.
        public var subsets: [String: [String]]

        /// Creates a host entry.
        public init(addresses: [String], subsets: [String: [String]] = [:]) {
            self.addresses = addresses
            self.subsets = subsets
        }
    }

    /// Hosts by name.
    public var hosts: [String: Host]

    /// Creates an endpoints section.
    public init(hosts: [String: Host] = [:]) { self.hosts = hosts }
}

/// Everything loaded from one or more files: the route sets and the endpoints they were
/// resolved against.
public struct RouteConfig: Sendable, Hashable {
    /// Route sets in file order.
    public var routeSets: [RouteSet]
    /// Merged endpoints sections (nil when none was given).
    public var endpoints: Endpoints?

    /// Creates a config.
    public init(routeSets: [RouteSet], endpoints: Endpoints? = nil) {
        self.routeSets = routeSets
        self.endpoints = endpoints
    }
}
