package io.rocksraft.server.api.rest;

import io.rocksraft.server.error.ErrorKind;
import io.rocksraft.server.error.KvException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipException;

/**
 * Bounds a REST body by {@code limits.maxRequestBytes}: a declared Content-Length over it is
 * refused (413) before anything is read or routed; a body without one (chunked) is counted
 * while it is read (after any gzip decoding) and refused as soon as it passes the limit, so a
 * node never buffers more. A body that cannot be read to its end is the client's 400, not a 500.
 */
@PreMatching
public final class RequestBodyLimit implements ContainerRequestFilter, ReaderInterceptor {
  private final long maxBytes;

  public RequestBodyLimit(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public void filter(ContainerRequestContext request) {
    long declared = request.getLength();
    if (declared > maxBytes) {
      request.abortWith(ProblemMappers.problem(ErrorKind.PAYLOAD_TOO_LARGE, tooLarge(declared + " bytes")));
    }
  }

  @Override
  public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
    Counting body = new Counting(context.getInputStream(), maxBytes);
    context.setInputStream(body);
    try {
      return context.proceed();
    } catch (IOException | RuntimeException e) {
      // The JSON reader may wrap what the stream threw; the stream knows what happened.
      if (body.exceeded) {
        throw new KvException(ErrorKind.PAYLOAD_TOO_LARGE, tooLarge("more than " + maxBytes + " bytes"));
      }
      if (body.failure != null) {
        throw KvException.invalid(unreadable(body));
      }
      // Malformed JSON found before the end of the body: read the rest (within the limit), or
      // Jetty closes the connection under a client still sending, which then sees a reset
      // instead of the 400.
      body.drainQuietly();
      throw e;
    }
  }

  /** The client's fault, not the node's: the connection ended early, the chunks or the gzip were broken. */
  private static String unreadable(Counting body) {
    for (Throwable t = body.failure; t != null; t = t.getCause()) {
      if (t instanceof ZipException) {
        return "the body is not valid for its Content-Encoding (" + body.count + " bytes decoded)";
      }
    }
    return "the body could not be read to its end (" + body.count + " bytes arrived): it is shorter than its "
        + "Content-Length, or its chunked encoding is broken";
  }

  private String tooLarge(String size) {
    return "the body is " + size + "; the limit is " + maxBytes + " (limits.maxRequestBytes)";
  }

  /** Counts what passes and fails the read that would go past the limit. */
  private static final class Counting extends FilterInputStream {
    private final long max;
    private long count;
    private boolean exceeded;
    private Throwable failure;

    Counting(InputStream in, long max) {
      super(in);
      this.max = max;
    }

    @Override
    public int read() throws IOException {
      int b;
      try {
        b = super.read();
      } catch (IOException | RuntimeException e) {
        failure = e;
        throw e;
      }
      if (b >= 0) {
        add(1);
      }
      return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
      int n;
      try {
        n = super.read(buffer, offset, length);
      } catch (IOException | RuntimeException e) {
        failure = e;
        throw e;
      }
      if (n > 0) {
        add(n);
      }
      return n;
    }

    void drainQuietly() {
      byte[] sink = new byte[8192];
      try {
        while (read(sink, 0, sink.length) >= 0) {
          // discard
        }
      } catch (IOException | RuntimeException e) {
        // past the limit or broken: the answer stands, Jetty closes the connection
      }
    }

    @Override
    public boolean markSupported() {
      return false; // a reset would read bytes twice and count them once
    }

    @Override
    public long skip(long n) throws IOException {
      return Math.max(0, read(new byte[(int) Math.min(n, 8192)])); // counted like any read
    }

    private void add(long n) throws IOException {
      count += n;
      if (count > max) {
        exceeded = true;
        throw new IOException("body over " + max + " bytes");
      }
    }
  }
}
