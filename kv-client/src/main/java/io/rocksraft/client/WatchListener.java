package io.rocksraft.client;

import io.rocksraft.api.v1.Event;
import java.util.List;

/**
 * Receives a watch's events. Calls come one at a time, in revision order; a slow listener
 * slows the stream down (gRPC flow control), it does not lose events.
 */
public interface WatchListener {
  /** Events of whole revisions, in order; {@code revision} is the last of them. */
  void onEvents(long revision, List<Event> events);

  /**
   * The watch ended and will not resume: {@link KvClientException.Compacted} when it fell
   * behind the history the nodes keep, or another error for a bad request.
   */
  default void onError(KvClientException error) {}
}
