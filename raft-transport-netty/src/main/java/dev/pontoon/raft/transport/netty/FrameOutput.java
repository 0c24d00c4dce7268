package dev.pontoon.raft.transport.netty;

import dev.pontoon.raft.log.Bytes;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

/**
 * The buffer one outgoing frame is written into. Fixed-size fields go into a pooled buffer;
 * large payloads are appended as wrapped components of a composite buffer, so that their bytes
 * are not copied while the frame is built. Not thread-safe; used for one frame, then {@link
 * #finish()}ed or {@link #discard()}ed.
 */
final class FrameOutput {
  private final ByteBufAllocator alloc;
  private ByteBuf current;
  private CompositeByteBuf composite;

  FrameOutput(ByteBufAllocator alloc, int initialCapacity) {
    this.alloc = alloc;
    this.current = alloc.ioBuffer(initialCapacity);
  }

  /** The buffer fixed-size fields are written to; it changes after a wrapped payload. */
  ByteBuf fields() {
    return current;
  }

  /** Writes the payload's length and its bytes, wrapping large payloads instead of copying them. */
  void writePayload(Bytes payload) {
    current.writeInt(payload.size());
    if (payload.size() < WireFormat.WRAP_PAYLOAD_THRESHOLD) {
      // Copied from the array itself, which is only read: a read-only ByteBuffer view per entry
      // was a tenth of the bytes a durable leader allocated per write.
      current.writeBytes(payload.unwrap());
      return;
    }
    if (composite == null) {
      composite = alloc.compositeBuffer(Integer.MAX_VALUE);
    }
    composite.addComponent(true, current);
    current = null;
    composite.addComponent(true, Unpooled.wrappedBuffer(payload.asReadOnlyByteBuffer()));
    current = alloc.ioBuffer(256);
  }

  /** The whole frame; ownership passes to the caller. */
  ByteBuf finish() {
    if (composite == null) {
      return current;
    }
    if (current.isReadable()) {
      composite.addComponent(true, current);
    } else {
      current.release();
    }
    current = null;
    return composite;
  }

  /** Releases everything written so far, after a failure. */
  void discard() {
    if (current != null) {
      current.release();
    }
    if (composite != null) {
      composite.release();
    }
  }
}
