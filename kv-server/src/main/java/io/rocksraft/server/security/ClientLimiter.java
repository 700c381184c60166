package io.rocksraft.server.security;

import io.rocksraft.server.config.NodeConfig;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Per-client bounds, so that one client flooding a node gets RESOURCE_EXHAUSTED at once while
 * the others are served: requests in flight, requests per second (a token bucket), open
 * watches. A client is its user, or its connection when authentication is off; a client's
 * entry is dropped when it has nothing in flight and no watch open, so connections come and go
 * without the map growing.
 */
public final class ClientLimiter {
  private final int maxInFlight;
  private final int requestsPerSecond;
  private final int maxWatches;
  private final ConcurrentMap<String, Usage> clients = new ConcurrentHashMap<>();
  /** Buckets by user only: a connection's would start full with every new connection. */
  private final ConcurrentMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  public ClientLimiter(NodeConfig.ClientLimits limits) {
    this.maxInFlight = limits.maxInFlight();
    this.requestsPerSecond = limits.requestsPerSecond();
    this.maxWatches = limits.maxWatches();
  }

  private static final class Usage {
    int inFlight;
    int watches;
  }

  /** Whom a request counts against: its user, or its connection ({@code connection}) without authentication. */
  public static String client(Caller caller, String connection) {
    return caller.user() != null ? "user " + caller.user() : "connection " + connection;
  }

  /** A permit for one request; close it when the request is answered. */
  public interface Permit extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Admits one request of {@code client} ({@code user}: its user, or null without authentication).
   *
   * @throws KvException RESOURCE_EXHAUSTED past a limit
   */
  public Permit admit(String client, String user) {
    if (user != null && requestsPerSecond > 0
        && !buckets.computeIfAbsent(user, u -> new Bucket(requestsPerSecond)).take()) {
      throw new KvException(ErrorKind.RESOURCE_EXHAUSTED, "over " + requestsPerSecond
          + " requests per second for user '" + user + "' (security.clientLimits.requestsPerSecond); slow down");
    }
    Permit permit = take(client, false);
    if (permit == null) {
      throw new KvException(ErrorKind.RESOURCE_EXHAUSTED, "this client has " + maxInFlight
          + " requests in flight on this node (security.clientLimits.maxInFlight); wait for answers first");
    }
    return permit;
  }

  /**
   * Opens one watch of {@code client}; the returned permit closes it.
   *
   * @throws KvException RESOURCE_EXHAUSTED when the client has {@code maxWatches} open
   */
  public Permit openWatch(String client) {
    Permit permit = take(client, true);
    if (permit == null) {
      throw new KvException(ErrorKind.RESOURCE_EXHAUSTED, "this client has " + maxWatches
          + " watches open on this node (security.clientLimits.maxWatches); close some first");
    }
    return permit;
  }

  /** One request or watch of the client, or null when it has its limit of them. */
  private Permit take(String client, boolean watch) {
    boolean[] admitted = {false};
    clients.compute(client, (k, u) -> {
      Usage usage = u != null ? u : new Usage();
      if (watch ? usage.watches < maxWatches : usage.inFlight < maxInFlight) {
        if (watch) {
          usage.watches++;
        } else {
          usage.inFlight++;
        }
        admitted[0] = true;
      }
      return usage.inFlight == 0 && usage.watches == 0 ? null : usage;
    });
    if (!admitted[0]) {
      return null;
    }
    AtomicBoolean closed = new AtomicBoolean();
    return () -> {
      if (closed.compareAndSet(false, true)) {
        release(client, watch);
      }
    };
  }

  private void release(String client, boolean watch) {
    clients.computeIfPresent(client, (k, usage) -> {
      if (watch) {
        usage.watches--;
      } else {
        usage.inFlight--;
      }
      return usage.inFlight == 0 && usage.watches == 0 ? null : usage;
    });
  }

  /** Clients with something in flight or open: for tests and metrics. */
  public int trackedClients() {
    return clients.size();
  }

  /** Up to one second's worth of requests at once, refilled continuously. */
  private static final class Bucket {
    private final double perNano;
    private final double capacity;
    private double tokens;
    private long last = System.nanoTime();

    Bucket(int perSecond) {
      this.perNano = perSecond / 1e9;
      this.capacity = perSecond;
      this.tokens = perSecond;
    }

    synchronized boolean take() {
      long now = System.nanoTime();
      tokens = Math.min(capacity, tokens + (now - last) * perNano);
      last = now;
      if (tokens < 1) {
        return false;
      }
      tokens--;
      return true;
    }
  }
}
