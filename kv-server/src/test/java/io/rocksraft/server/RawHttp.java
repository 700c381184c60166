package io.rocksraft.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP/1.1 spoken by hand over a socket, for requests that {@code HttpClient} refuses to send:
 * raw request lines, broken URIs, wrong framing, bodies longer or shorter than they claim.
 */
final class RawHttp {
  private static final int MAX_REPLY_BYTES = 4 << 20;

  private RawHttp() {}

  /** What came back; headers by lower-case name. */
  record Reply(int status, Map<String, List<String>> headers, String body) {
    Optional<String> header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }
  }

  /**
   * Sends {@code head} then {@code body} (from another thread, so that a node answering early
   * is heard while a long body is still going out), half-closes when {@code halfClose}, and
   * reads one reply. Empty when the node closed the connection without answering.
   */
  static Optional<Reply> exchange(String hostPort, byte[] head, byte[] body, boolean halfClose) throws IOException {
    int colon = hostPort.lastIndexOf(':');
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
          5_000);
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      Thread writer = new Thread(() -> {
        try {
          out.write(head);
          out.write(body);
          out.flush();
          if (halfClose) {
            socket.shutdownOutput();
          }
        } catch (IOException e) {
          // The node stopped reading: it has answered or closed; the reader sees which.
        }
      }, "raw-http-writer");
      writer.setDaemon(true);
      writer.start();
      // Closing the socket (on leaving) ends a write the node no longer reads.
      return read(socket.getInputStream());
    }
  }

  /** A request head: request line, headers (each "Name: value"), blank line; ISO-8859-1 so any byte passes. */
  static byte[] head(String requestLine, List<String> headers) {
    StringBuilder s = new StringBuilder(requestLine).append("\r\n");
    headers.forEach(h -> s.append(h).append("\r\n"));
    return s.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** {@code body} in chunked transfer coding, in chunks of {@code chunk} bytes, with the last chunk. */
  static byte[] chunked(byte[] body, int chunk) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + body.length / chunk * 8 + 16);
    for (int at = 0; at < body.length; at += chunk) {
      int n = Math.min(chunk, body.length - at);
      out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body, at, n);
      out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  private static Optional<Reply> read(InputStream in) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buffer = new byte[16 * 1024];
    while (true) {
      Optional<Reply> reply = parse(got.toByteArray(), false);
      if (reply.isPresent()) {
        return reply;
      }
      int n;
      try {
        n = in.read(buffer);
      } catch (java.net.SocketException reset) {
        n = -1; // a reset after the reply was sent still leaves the reply readable below
      }
      if (n < 0 || got.size() > MAX_REPLY_BYTES) {
        return got.size() == 0 ? Optional.empty() : Optional.of(parse(got.toByteArray(), true).orElseThrow(() ->
            new IOException("not an HTTP reply: " + new String(got.toByteArray(), StandardCharsets.ISO_8859_1))));
      }
      got.write(buffer, 0, n);
    }
  }

  /** The first final reply in {@code bytes}, if complete (or, at the end of the stream, as far as it goes). */
  private static Optional<Reply> parse(byte[] bytes, boolean ended) throws IOException {
    String text = new String(bytes, StandardCharsets.ISO_8859_1);
    int start = 0;
    while (true) {
      int end = text.indexOf("\r\n\r\n", start);
      if (end < 0) {
        if (ended) {
          throw new IOException("reply without a complete head: " + text);
        }
        return Optional.empty();
      }
      String[] lines = text.substring(start, end).split("\r\n");
      if (!lines[0].startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP status line: " + lines[0]);
      }
      int status = Integer.parseInt(lines[0].split(" ", 3)[1]);
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
            .add(lines[i].substring(colon + 1).trim());
      }
      int bodyStart = end + 4;
      if (status >= 100 && status < 200) {
        start = bodyStart; // 100 Continue: the final reply follows
        continue;
      }
      Optional<String> body = body(bytes, bodyStart, headers, ended);
      return body.map(b -> new Reply(status, headers, b));
    }
  }

  private static Optional<String> body(byte[] bytes, int from, Map<String, List<String>> headers, boolean ended) {
    List<String> length = headers.get("content-length");
    List<String> coding = headers.get("transfer-encoding");
    if (coding != null && coding.get(0).equalsIgnoreCase("chunked")) {
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      int at = from;
      while (true) {
        int eol = indexOfCrlf(bytes, at);
        if (eol < 0) {
          return ended ? Optional.of(body.toString(StandardCharsets.UTF_8)) : Optional.empty();
        }
        int size = Integer.parseInt(new String(bytes, at, eol - at, StandardCharsets.US_ASCII).split(";")[0].trim(), 16);
        if (size == 0) {
          return Optional.of(body.toString(StandardCharsets.UTF_8));
        }
        if (eol + 2 + size > bytes.length) {
          return ended ? Optional.of(body.toString(StandardCharsets.UTF_8)) : Optional.empty();
        }
        body.write(bytes, eol + 2, size);
        at = eol + 2 + size + 2;
      }
    }
    int available = bytes.length - from;
    if (length != null) {
      int n = Integer.parseInt(length.get(0));
      if (available < n && !ended) {
        return Optional.empty();
      }
      return Optional.of(new String(bytes, from, Math.min(n, available), StandardCharsets.UTF_8));
    }
    return ended ? Optional.of(new String(bytes, from, available, StandardCharsets.UTF_8)) : Optional.empty();
  }

  private static int indexOfCrlf(byte[] bytes, int from) {
    for (int i = from; i + 1 < bytes.length; i++) {
      if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
        return i;
      }
    }
    return -1;
  }
}
