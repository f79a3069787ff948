package dev.tributary.protocol.message;

/** A request a broker's gateway accepts from clients. */
public interface GatewayRequest {}
