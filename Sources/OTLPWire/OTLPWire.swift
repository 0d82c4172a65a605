// OTLPWire module
