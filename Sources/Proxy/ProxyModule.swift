// Proxy: the data plane shared by keiro edge, gateway and sidecar (in progress, issue 4).
