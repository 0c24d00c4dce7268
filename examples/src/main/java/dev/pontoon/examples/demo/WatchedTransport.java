package dev.pontoon.examples.demo;

import dev.pontoon.raft.message.RaftMessage;
import dev.pontoon.raft.transport.InboundHandler;
import dev.pontoon.raft.transport.Transport;
import java.util.function.Consumer;

/** A transport that shows every message its node sends to a watcher, then passes it on unchanged. */
final class WatchedTransport implements Transport {
  private final Transport delegate;
  private final Consumer<RaftMessage> watcher;

  WatchedTransport(Transport delegate, Consumer<RaftMessage> watcher) {
    this.delegate = delegate;
    this.watcher = watcher;
  }

  @Override
  public void start(InboundHandler inbound) {
    delegate.start(inbound);
  }

  @Override
  public void send(RaftMessage message) {
    watcher.accept(message);
    delegate.send(message);
  }

  @Override
  public void close() {
    delegate.close();
  }

  @Override
  public int maxMessageBytes() {
    return delegate.maxMessageBytes();
  }
}
