package dev.novaproxy.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real HTTP/2 server over TLS on loopback, the way the proxy reaches Nova in production (https,
 * ALPN {@code h2}), speaking just enough of the protocol to answer chat requests: a fixed JSON
 * completion, or a short event stream when the request body says {@code "stream":true}.
 *
 * <p>It can end connections the way HTTP/2 servers do when they recycle them: after {@code
 * requestsPerConnection} requests, the next request on that connection gets a GOAWAY naming the
 * last stream it processed, and the connection closes. That request was never processed, so a
 * client may send it again on a new connection.
 *
 * <p>The certificate is self-signed for 127.0.0.1, made with the JDK's keytool; {@link
 * #clientContext} trusts it.
 */
public final class FakeNovaH2 implements AutoCloseable {
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final int DATA = 0;
  private static final int HEADERS = 1;
  private static final int SETTINGS = 4;
  private static final int PING = 6;
  private static final int GOAWAY = 7;
  private static final int WINDOW_UPDATE = 8;
  private static final int END_STREAM = 0x1;
  private static final int END_HEADERS = 0x4;
  private static final int ACK = 0x1;

  public static final String ANSWER =
      "{\"id\":\"chatcmpl-h2\",\"object\":\"chat.completion\",\"model\":\"nova-2-lite-v1\","
          + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"over h2\"},"
          + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,"
          + "\"total_tokens\":5}}";

  private final SSLServerSocket server;
  private final SSLContext clientContext;
  private final int requestsPerConnection;
  private final ExecutorService pool = Executors.newCachedThreadPool(FakeNovaH2::daemon);
  private final AtomicInteger answered = new AtomicInteger();
  private final AtomicInteger goAways = new AtomicInteger();
  private final AtomicInteger connections = new AtomicInteger();
  private final List<SSLSocket> open = new CopyOnWriteArrayList<>();

  private final Certificate certificate;

  private FakeNovaH2(
      SSLServerSocket server,
      SSLContext clientContext,
      Certificate certificate,
      int requestsPerConnection) {
    this.server = server;
    this.clientContext = clientContext;
    this.certificate = certificate;
    this.requestsPerConnection = requestsPerConnection;
  }

  /**
   * Starts on a free loopback port.
   *
   * @param requestsPerConnection how many requests a connection serves before the next one gets a
   *     GOAWAY; 0 for no limit
   */
  public static FakeNovaH2 start(int requestsPerConnection) throws Exception {
    Path dir = TempPaths.directory("fake-nova-h2");
    Path store = dir.resolve("keys.p12");
    char[] password = "fake-nova".toCharArray();
    Process keytool =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "nova",
                "-keyalg",
                "EC",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "san=ip:127.0.0.1",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                new String(password))
            .redirectErrorStream(true)
            .start();
    String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (keytool.waitFor() != 0) {
      throw new IOException("keytool failed: " + out);
    }
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      keys.load(in, password);
    }
    Files.delete(store);
    Files.delete(dir);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);
    SSLContext serverContext = SSLContext.getInstance("TLS");
    serverContext.init(kmf.getKeyManagers(), null, null);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(keys);
    SSLContext clientContext = SSLContext.getInstance("TLS");
    clientContext.init(null, tmf.getTrustManagers(), null);

    SSLServerSocket server =
        (SSLServerSocket)
            serverContext
                .getServerSocketFactory()
                .createServerSocket(0, 64, InetAddress.getLoopbackAddress());
    SSLParameters params = server.getSSLParameters();
    params.setApplicationProtocols(new String[] {"h2"});
    server.setSSLParameters(params);
    FakeNovaH2 nova =
        new FakeNovaH2(server, clientContext, keys.getCertificate("nova"), requestsPerConnection);
    nova.pool.execute(nova::accept);
    return nova;
  }

  /** A TLS context that trusts this server's certificate, for the client under test. */
  public SSLContext clientContext() {
    return clientContext;
  }

  /**
   * Writes a PKCS12 trust store holding this server's certificate only, for a client in another JVM
   * ({@code -Djavax.net.ssl.trustStore=FILE -Djavax.net.ssl.trustStorePassword=PASSWORD}).
   */
  public Path writeTrustStore(Path file, String password) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("fake-nova", certificate);
    try (OutputStream out = Files.newOutputStream(file)) {
      trust.store(out, password.toCharArray());
    }
    return file;
  }

  /** The base URL, like {@code https://127.0.0.1:PORT/v1}. */
  public URI baseUrl() {
    return URI.create("https://127.0.0.1:" + server.getLocalPort() + "/v1");
  }

  public int answered() {
    return answered.get();
  }

  public int goAways() {
    return goAways.get();
  }

  public int connections() {
    return connections.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        SSLSocket socket = (SSLSocket) server.accept();
        socket.setTcpNoDelay(true); // each frame goes out when written, as real servers do
        open.add(socket);
        connections.incrementAndGet();
        pool.execute(() -> serve(socket));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(SSLSocket socket) {
    try (socket) {
      socket.startHandshake();
      if (!"h2".equals(socket.getApplicationProtocol())) {
        return; // this server speaks nothing else
      }
      DataInputStream in = new DataInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      byte[] preface = new byte[PREFACE.length];
      in.readFully(preface);
      if (!Arrays.equals(preface, PREFACE)) {
        return;
      }
      frame(out, SETTINGS, 0, 0, new byte[0]);
      Set<Integer> wantsStream = new HashSet<>();
      int served = 0;
      int lastProcessed = 0;
      while (true) {
        int length = (in.readUnsignedByte() << 16) | in.readUnsignedShort();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (type == SETTINGS && (flags & ACK) == 0) {
          frame(out, SETTINGS, ACK, 0, new byte[0]);
        } else if (type == PING && (flags & ACK) == 0) {
          frame(out, PING, ACK, 0, payload);
        } else if (type == HEADERS) {
          if (requestsPerConnection > 0 && served >= requestsPerConnection) {
            goAway(out, lastProcessed);
            // Close as servers do: stop writing, then read until the client closes, so the
            // GOAWAY is not lost to a reset over the client's unread frames.
            socket.shutdownOutput();
            in.transferTo(OutputStream.nullOutputStream());
            return;
          }
        } else if (type == DATA) {
          if (contains(payload, "\"stream\":true")) {
            wantsStream.add(stream); // the body is not compressed, unlike the HPACK headers
          }
          if (length > 0) {
            // Give the client its flow-control window back, or it stops sending bodies once the
            // connection's first 64 KB are spent.
            windowUpdate(out, 0, length);
            if ((flags & END_STREAM) == 0) {
              windowUpdate(out, stream, length);
            }
          }
        }
        if ((type == HEADERS || type == DATA) && (flags & END_STREAM) != 0) {
          answer(out, stream, wantsStream.remove(stream));
          served++;
          lastProcessed = Math.max(lastProcessed, stream);
          answered.incrementAndGet();
        }
      }
    } catch (IOException e) {
      // the client closed the connection
    } finally {
      open.remove(socket);
    }
  }

  private static void windowUpdate(OutputStream out, int stream, int increment) throws IOException {
    byte[] payload = {
      (byte) (increment >>> 24),
      (byte) (increment >>> 16),
      (byte) (increment >>> 8),
      (byte) increment
    };
    frame(out, WINDOW_UPDATE, 0, stream, payload);
  }

  private void goAway(OutputStream out, int lastProcessed) throws IOException {
    goAways.incrementAndGet();
    byte[] payload = new byte[8];
    payload[0] = (byte) (lastProcessed >>> 24);
    payload[1] = (byte) (lastProcessed >>> 16);
    payload[2] = (byte) (lastProcessed >>> 8);
    payload[3] = (byte) lastProcessed; // error code NO_ERROR: the last 4 bytes stay 0
    frame(out, GOAWAY, 0, 0, payload);
  }

  private static void answer(OutputStream out, int stream, boolean events) throws IOException {
    byte[] body =
        events
            ? ("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"over\"}}]}\n\n"
                    + "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" h2\"}}]}\n\n"
                    + "data: [DONE]\n\n")
                .getBytes(StandardCharsets.UTF_8)
            : ANSWER.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream headers = new ByteArrayOutputStream();
    headers.write(0x88); // :status 200, static table index 8
    literal(headers, 31, events ? "text/event-stream" : "application/json"); // content-type
    if (!events) {
      literal(headers, 28, Integer.toString(body.length)); // content-length
    }
    frame(out, HEADERS, END_HEADERS, stream, headers.toByteArray());
    frame(out, DATA, END_STREAM, stream, body);
  }

  /** A header field without indexing, its name from the static table, its value as is. */
  private static void literal(ByteArrayOutputStream block, int nameIndex, String value) {
    block.write(0x0f); // literal without indexing, name index >= 15: 4-bit prefix all ones
    block.write(nameIndex - 15);
    byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
    block.write(bytes.length); // short values: length fits the 7-bit prefix, no Huffman
    block.writeBytes(bytes);
  }

  private static void frame(OutputStream out, int type, int flags, int stream, byte[] payload)
      throws IOException {
    byte[] head = {
      (byte) (payload.length >>> 16),
      (byte) (payload.length >>> 8),
      (byte) payload.length,
      (byte) type,
      (byte) flags,
      (byte) (stream >>> 24),
      (byte) (stream >>> 16),
      (byte) (stream >>> 8),
      (byte) stream
    };
    synchronized (out) {
      out.write(head);
      out.write(payload);
      out.flush();
    }
  }

  private static boolean contains(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + n.length <= haystack.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "fake-nova-h2");
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (SSLSocket s : open) {
      s.close();
    }
    pool.shutdownNow();
  }
}
