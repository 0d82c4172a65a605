// Collector module
