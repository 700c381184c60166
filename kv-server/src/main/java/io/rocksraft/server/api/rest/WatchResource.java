package io.rocksraft.server.api.rest;

import io.rocksraft.api.v1.Event;
import io.rocksraft.api.v1.WatchRequest;
import io.rocksraft.server.api.Watches;
import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import io.rocksraft.server.state.History;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /v1/watch}: changes as server-sent events, in revision order. Each event's
 * {@code data} is the key as JSON; the last event of a revision carries {@code id: revision},
 * so a client that reconnects with {@code Last-Event-ID} resumes after it, none skipped,
 * none twice. Each open stream is fed by a thread of its own, off Jetty's pool.
 */
@Path("/v1/watch")
public final class WatchResource {
  private static final long KEEPALIVE_SECONDS = 15;

  private final Watches watches;
  private final ObjectMapper json;
  private final ExecutorService streams = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "sse-watch");
    t.setDaemon(true);
    return t;
  });

  public WatchResource(Watches watches, ObjectMapper json) {
    this.watches = watches;
    this.json = json;
  }

  @GET
  @Produces(MediaType.SERVER_SENT_EVENTS)
  public void watch(@QueryParam("key") String key, @QueryParam("prefix") String prefix,
                    @QueryParam("from") String from, @HeaderParam("Last-Event-ID") String lastEventId,
                    @Context SseEventSink sink, @Context Sse sse, @Context ContainerRequestContext request) {
    WatchRequest.Builder req = WatchRequest.newBuilder();
    if (key != null) {
      req.setKey(Json.utf8(key));
    }
    if (prefix != null) {
      req.setPrefix(Json.utf8(prefix));
    }
    // A reconnecting EventSource sends the last id it saw: continue after it.
    req.setStartRevision(lastEventId != null ? revision("Last-Event-ID", lastEventId) + 1
        : from != null ? revision("from", from) : 0);
    Semaphore signal = new Semaphore(0);
    // Fails here, as a problem, for a bad request or a compacted start.
    Watches.Cursor cursor = watches.open(RestCallers.caller(request), RestCallers.client(request), req.build(),
        signal::release);
    // Jersey sends the response head when this method returns: the events flow from another thread.
    streams.execute(() -> {
      try (cursor; sink) {
        stream(cursor, signal, sink, sse);
      } catch (IOException | ExecutionException e) {
        // The client went away.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  private void stream(Watches.Cursor cursor, Semaphore signal, SseEventSink sink, Sse sse)
      throws IOException, ExecutionException, InterruptedException {
    send(sink, sse.newEventBuilder().reconnectDelay(1000).name("created")
        .data(json.writeValueAsString(Map.of("revision", cursor.next() - 1))).build());
    while (!cursor.isClosed()) {
      History.Page page;
      try {
        page = cursor.poll();
      } catch (KvException e) {
        send(sink, sse.newEventBuilder().name(e.kind() == ErrorKind.COMPACTED ? "compacted" : "error")
            .data(json.writeValueAsString(ProblemMappers.body(e))).build());
        return;
      }
      if (!page.events().isEmpty()) {
        sendEvents(page.events(), sink, sse);
        cursor.reported(page);
        continue;
      }
      if (cursor.progressDue(page)) {
        long seen = page.nextRevision() - 1;
        send(sink, sse.newEventBuilder().id(Long.toString(seen)).name("progress")
            .data(json.writeValueAsString(Map.of("revision", seen))).build());
        cursor.reported(page);
      }
      if (!signal.tryAcquire(KEEPALIVE_SECONDS, TimeUnit.SECONDS)) {
        // Also how a closed connection is found: the send fails.
        send(sink, sse.newEventBuilder().comment("keep-alive").build());
      }
      signal.drainPermits();
    }
  }

  private void sendEvents(List<Event> events, SseEventSink sink, Sse sse)
      throws IOException, ExecutionException, InterruptedException {
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("type", e.getType() == Event.Type.PUT ? "put" : "delete");
      if (e.getType() == Event.Type.PUT) {
        data.putAll(Json.keyValue(e.getKv()));
      } else {
        Json.putBytes(data, "key", e.getKv().getKey());
        data.put("revision", e.getKv().getModRevision());
      }
      long revision = e.getKv().getModRevision();
      OutboundSseEvent.Builder event = sse.newEventBuilder().name((String) data.get("type"))
          .data(json.writeValueAsString(data));
      if (i + 1 == events.size() || events.get(i + 1).getKv().getModRevision() != revision) {
        // Only a revision's last event carries the id: resuming after it never splits a revision.
        event.id(Long.toString(revision));
      }
      send(sink, event.build());
    }
  }

  private static void send(SseEventSink sink, OutboundSseEvent event) throws ExecutionException, InterruptedException {
    if (sink.isClosed()) {
      throw new ExecutionException(new IOException("the client closed the stream"));
    }
    sink.send(event).toCompletableFuture().get();
  }

  /** Ends the streams' threads with the node. */
  public void close() {
    streams.shutdownNow();
  }

  private static long revision(String what, String text) {
    try {
      long r = Long.parseLong(text.trim());
      if (r < 0) {
        throw KvException.invalid(what + " must be a revision (0 or more)");
      }
      return r;
    } catch (NumberFormatException e) {
      throw KvException.invalid(what + " '" + text + "' is not a revision number");
    }
  }
}
