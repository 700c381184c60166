package io.rocksraft.server.error;

import io.grpc.Status;

/**
 * The one table from failure kinds to what each API answers: a gRPC status code, an HTTP
 * status and an RFC 9457 problem type.
 */
public enum ErrorKind {
  INVALID_ARGUMENT(Status.Code.INVALID_ARGUMENT, 400, "invalid-argument", "Invalid argument"),
  /** No credentials, or ones no user of security.auth has. */
  UNAUTHENTICATED(Status.Code.UNAUTHENTICATED, 401, "unauthenticated", "Unauthenticated"),
  /** A known user whose roles do not grant the request. */
  PERMISSION_DENIED(Status.Code.PERMISSION_DENIED, 403, "permission-denied", "Permission denied"),
  NOT_FOUND(Status.Code.NOT_FOUND, 404, "not-found", "Not found"),
  FAILED_PRECONDITION(Status.Code.FAILED_PRECONDITION, 409, "failed-precondition", "Failed precondition"),
  /** A write id or REST Idempotency-Key sent again with another request (the IETF draft's 422). */
  WRITE_ID_REUSED(Status.Code.INVALID_ARGUMENT, 422, "idempotency-key-reused", "Idempotency key reused"),
  /** A REST body over limits.maxRequestBytes; gRPC answers an oversized message with RESOURCE_EXHAUSTED too. */
  PAYLOAD_TOO_LARGE(Status.Code.RESOURCE_EXHAUSTED, 413, "payload-too-large", "Payload too large"),
  /**
   * A valid write that would change more keys or answer more bytes than one write may
   * (limits.maxWriteKeys, limits.maxResultBytes): refused as it was applied, nothing of it done.
   * INVALID_ARGUMENT as etcd's "request is too large"; retrying cannot help, a smaller request can.
   */
  TOO_LARGE(Status.Code.INVALID_ARGUMENT, 422, "too-large", "Request too large"),
  RESOURCE_EXHAUSTED(Status.Code.RESOURCE_EXHAUSTED, 429, "overloaded", "Too many requests in flight"),
  UNAVAILABLE(Status.Code.UNAVAILABLE, 503, "unavailable", "No quorum"),
  DEADLINE_EXCEEDED(Status.Code.DEADLINE_EXCEEDED, 504, "deadline-exceeded", "Deadline exceeded"),
  INTERNAL(Status.Code.INTERNAL, 500, "internal", "Internal error"),
  /** A watch asked for revisions older than the history the node keeps. */
  COMPACTED(Status.Code.OUT_OF_RANGE, 410, "compacted", "History compacted");

  private final Status.Code grpcCode;
  private final int httpStatus;
  private final String problemType;
  private final String title;

  ErrorKind(Status.Code grpcCode, int httpStatus, String problemType, String title) {
    this.grpcCode = grpcCode;
    this.httpStatus = httpStatus;
    this.problemType = problemType;
    this.title = title;
  }

  public Status.Code grpcCode() {
    return grpcCode;
  }

  public int httpStatus() {
    return httpStatus;
  }

  public String problemType() {
    return problemType;
  }

  public String title() {
    return title;
  }
}
