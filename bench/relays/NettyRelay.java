import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.URI;

/**
 * For bench/serve-load (RELAYS=netty): the barest streaming relay on Netty 4.1 (NIO, an event loop
 * per core), each chat's upstream connection on its client connection's event loop: no thread pool
 * and no hand-off between threads. It connects to the upstream afresh for each chat (no pool, which
 * costs it a little) and has no back-pressure (which spares it some).
 *
 * <p>Usage: {@code NettyRelay PORT UPSTREAM_CHAT_URL}
 */
public final class NettyRelay {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    URI upstream = URI.create(args[1]);
    new ServerBootstrap()
        .group(new NioEventLoopGroup(1), new NioEventLoopGroup())
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 4096)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                    .addLast(
                        new HttpServerCodec(),
                        new HttpObjectAggregator(1 << 20),
                        new Front(upstream));
              }
            })
        .bind("127.0.0.1", port)
        .sync();
    System.out.println("listening on " + port);
    Thread.currentThread().join();
  }

  /** Takes the client's request and sends it upstream from the same event loop. */
  private static final class Front extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final URI upstream;

    Front(URI upstream) {
      this.upstream = upstream;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      Channel client = ctx.channel();
      FullHttpRequest out =
          new DefaultFullHttpRequest(
              HttpVersion.HTTP_1_1,
              HttpMethod.POST,
              upstream.getRawPath(),
              request.content().retain());
      out.headers()
          .set(HttpHeaderNames.HOST, upstream.getHost() + ":" + upstream.getPort())
          .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
          .set(HttpHeaderNames.AUTHORIZATION, "Bearer bench")
          .set(HttpHeaderNames.CONTENT_LENGTH, out.content().readableBytes());
      new Bootstrap()
          .group(client.eventLoop())
          .channel(NioSocketChannel.class)
          .handler(
              new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel ch) {
                  ch.pipeline().addLast(new HttpClientCodec(), new Back(client));
                }
              })
          .connect(upstream.getHost(), upstream.getPort())
          .addListener(
              (ChannelFutureListener)
                  connected -> {
                    if (!connected.isSuccess()) {
                      out.release();
                      client.close();
                      return;
                    }
                    connected.channel().writeAndFlush(out);
                  });
    }
  }

  /** Writes the upstream's answer to the client as it comes. */
  private static final class Back extends SimpleChannelInboundHandler<HttpObject> {
    private final Channel client;

    Back(Channel client) {
      this.client = client;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
      if (message instanceof HttpResponse answer) {
        DefaultHttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, answer.status());
        response
            .headers()
            .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
            .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        client.write(response);
      }
      if (message instanceof HttpContent content) {
        boolean last = message instanceof LastHttpContent;
        client.writeAndFlush(
            last
                ? new DefaultLastHttpContent(content.content().retain())
                : new DefaultHttpContent(content.content().retain()));
        if (last) {
          ctx.close();
        }
      }
    }
  }
}
