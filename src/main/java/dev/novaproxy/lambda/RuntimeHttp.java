package dev.novaproxy.lambda;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Just enough HTTP/1.1 to talk to the Lambda Runtime API on its loopback address: request heads
 * written by hand, and answers read with Content-Length, chunked or close-delimited bodies. Written
 * on plain sockets because the JDK HttpClient cannot send a chunked request body with trailers,
 * which a streamed response needs (see {@link StreamedResponse}).
 */
final class RuntimeHttp {
  /** An answer from the Runtime API. Header names are lower case. */
  record Reply(int status, Map<String, String> headers, byte[] body) {
    String header(String lowerCaseName) {
      return headers.get(lowerCaseName);
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** Whether the server will close the connection after this answer. */
    boolean closes() {
      return "close".equalsIgnoreCase(headers.getOrDefault("connection", ""));
    }
  }

  private static final int MAX_LINE = 64 * 1024;

  /** The request line and headers, ended by the blank line; the body, if any, follows. */
  static byte[] head(String method, String path, String host, Map<String, String> headers) {
    StringBuilder s = new StringBuilder(256);
    s.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    s.append("Host: ").append(host).append("\r\n");
    headers.forEach((k, v) -> s.append(k).append(": ").append(v).append("\r\n"));
    s.append("\r\n");
    return s.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  static void writeRequest(
      OutputStream out, String method, String path, String host, Map<String, String> headers)
      throws IOException {
    out.write(head(method, path, host, headers));
  }

  /**
   * Reads one answer.
   *
   * @throws EOFException when the connection closes before a status line
   */
  static Reply read(InputStream in) throws IOException {
    String statusLine = readLine(in);
    if (statusLine == null) {
      throw new EOFException("the Runtime API closed the connection without answering");
    }
    String[] parts = statusLine.split(" ", 3);
    if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP answer from the Runtime API: " + statusLine);
    }
    int status;
    try {
      status = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      throw new IOException("not an HTTP status from the Runtime API: " + statusLine, e);
    }
    Map<String, String> headers = readHeaders(in);
    byte[] body;
    String length = headers.get("content-length");
    if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
      body = readChunked(in);
    } else if (length != null) {
      body = readExactly(in, Integer.parseInt(length.trim()));
    } else if (status == 204 || status == 304) {
      body = new byte[0];
    } else {
      body = in.readAllBytes(); // close-delimited
      headers.put("connection", "close");
    }
    return new Reply(status, headers, body);
  }

  private static Map<String, String> readHeaders(InputStream in) throws IOException {
    Map<String, String> headers = new TreeMap<>();
    for (String line = readLine(in); line != null && !line.isEmpty(); line = readLine(in)) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        headers.putIfAbsent(
            line.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            line.substring(colon + 1).trim());
      }
    }
    return headers;
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine(in);
      if (sizeLine == null) {
        throw new EOFException("the Runtime API's chunked answer ended early");
      }
      int size = Integer.parseInt(sizeLine.split(";", 2)[0].trim(), 16);
      if (size == 0) {
        readHeaders(in); // trailers, unused
        return body.toByteArray();
      }
      body.write(readExactly(in, size));
      readLine(in);
    }
  }

  private static byte[] readExactly(InputStream in, int n) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length < n) {
      throw new EOFException("the Runtime API's answer ended early");
    }
    return b;
  }

  /** A line without its CRLF (or LF), or null at the end of the stream. */
  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(64);
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        if (line.size() >= MAX_LINE) {
          throw new IOException("a line from the Runtime API is longer than 64 KB");
        }
        line.write(c);
      }
    }
    if (c == -1 && line.size() == 0) {
      return null;
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }

  /** A path segment with everything but RFC 3986's unreserved characters percent-encoded. */
  static String pathSegment(String s) {
    StringBuilder out = new StringBuilder(s.length());
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (b & 0xff);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append(c);
      } else {
        out.append('%').append(String.format(Locale.ROOT, "%02X", b & 0xff));
      }
    }
    return out.toString();
  }

  private RuntimeHttp() {}
}
