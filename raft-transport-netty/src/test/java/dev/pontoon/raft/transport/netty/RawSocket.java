package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.NodeId;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/** A plain blocking socket that speaks (or breaks) the wire protocol by hand, as a hostile or broken peer. */
final class RawSocket implements AutoCloseable {
  private final Socket socket;
  private final long clusterId;
  private final DataInputStream in;
  private final java.io.ByteArrayOutputStream received = new java.io.ByteArrayOutputStream();

  RawSocket(InetSocketAddress address, long clusterId) {
    this(connect(address), clusterId);
  }

  RawSocket(Socket socket, long clusterId) {
    try {
      this.socket = socket;
      this.clusterId = clusterId;
      socket.setSoTimeout(30_000);
      this.in = new DataInputStream(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Socket connect(InetSocketAddress address) {
    try {
      return new Socket(address.getAddress(), address.getPort());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void write(byte[] bytes) {
    try {
      socket.getOutputStream().write(bytes);
      socket.getOutputStream().flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends a frame of {@code message} in this socket's cluster. */
  void send(Object message) {
    write(Frames.encode(message, clusterId));
  }

  /** Sends a Hello naming {@code id}, without a shared secret, and returns the peer's answer. */
  Hello handshakeAs(NodeId id) {
    return handshakeAs(new Hello(clusterId, id));
  }

  /** Sends {@code hello} and returns the peer's answer. */
  Hello handshakeAs(Hello hello) {
    send(hello);
    return (Hello) readMessage();
  }

  /** Reads and decodes one frame. */
  Object readMessage() {
    try {
      int length = in.readInt();
      byte[] frame = new byte[4 + length];
      Unpooled.wrappedBuffer(frame).setInt(0, length);
      in.readFully(frame, 4, length);
      received.write(frame, 0, frame.length);
      EmbeddedChannel decoder = new EmbeddedChannel(
          FrameDecoder.open(WireFormat.DEFAULT_MAX_FRAME_SIZE, clusterId, WireFormat.DEFAULT_GROUP));
      decoder.writeInbound(Unpooled.wrappedBuffer(frame));
      return decoder.readInbound();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every byte of the frames {@link #readMessage} has read so far, as they came off the wire. */
  byte[] receivedBytes() {
    return received.toByteArray();
  }

  /** Whether the peer closes the connection (end of stream or reset) within the socket timeout. */
  boolean closedByPeer() {
    try {
      while (in.read() >= 0) {
        // Skip whatever the peer sent before closing.
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException | javax.net.ssl.SSLException e) {
      return true; // reset, or refused by a TLS alert
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
