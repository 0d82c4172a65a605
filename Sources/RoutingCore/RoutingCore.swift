// RoutingCore module
