package dev.pontoon.raft.engine.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pontoon.raft.NodeId;
import dev.pontoon.raft.log.Bytes;
import dev.pontoon.raft.log.HardState;
import dev.pontoon.raft.log.LogEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link InMemoryLogStore#crashCopy(int)} is the simulator's model of a crash, so it is checked
 * against the plainest model there is: the whole state recorded after every write. A crash must
 * leave exactly the state after the last sync plus the first {@code keep} writes since.
 */
class InMemoryLogStoreCrashModelTest {

  /** The state a store shows through its interface. */
  private record State(long firstIndex, long prefixTerm, List<LogEntry> entries, HardState hardState) {
    static State of(InMemoryLogStore store) {
      long first = store.firstIndex();
      long last = store.lastIndex();
      return new State(first, store.term(first - 1), store.entries(first, last + 1, Long.MAX_VALUE),
          store.loadHardState());
    }
  }

  @Test
  void aCrashKeepsTheSyncedStatePlusAPrefixOfTheLaterWritesUnderRandomWrites() {
    for (long seed = 0; seed < 200; seed++) {
      Random random = new Random(seed);
      InMemoryLogStore store = new InMemoryLogStore();
      List<State> sinceSync = new ArrayList<>(List.of(State.of(store)));
      long term = 1;
      for (int step = 0; step < 60; step++) {
        int op = random.nextInt(10);
        long first = store.firstIndex();
        long last = store.lastIndex();
        if (op < 4) {
          term += random.nextInt(3) == 0 ? 1 : 0;
          List<LogEntry> batch = new ArrayList<>();
          for (int i = 1, n = 1 + random.nextInt(5); i <= n; i++) {
            batch.add(LogEntry.command(last + i, term, Bytes.ofUtf8(seed + "/" + step + "/" + i)));
          }
          store.append(batch);
        } else if (op == 4 && last >= first) {
          store.truncateSuffix(first + random.nextInt((int) (last - first + 1)));
        } else if (op == 5 && last >= first) {
          long index = first + random.nextInt((int) (last - first + 1));
          // Now and then a snapshot whose last entry the log holds with another term: the whole log goes.
          long snapshotTerm = random.nextInt(4) == 0 ? term + 1 : store.term(index);
          store.truncatePrefix(index, snapshotTerm);
          term = Math.max(term, snapshotTerm);
        } else if (op == 6) {
          store.saveHardState(new HardState(term, NodeId.of("n" + random.nextInt(3)), random.nextInt(5)));
        } else if (op == 7) {
          store.sync();
          sinceSync.clear();
        } else {
          continue; // no write: an empty log to truncate, or a step left idle
        }
        sinceSync.add(State.of(store));
        checkEveryCrash(store, sinceSync, seed, step);
      }
    }
  }

  private static void checkEveryCrash(InMemoryLogStore store, List<State> sinceSync, long seed, int step) {
    // sinceSync holds the synced state and then one state per write made since.
    assertEquals(sinceSync.size() - 1, store.unsyncedWrites(), "seed " + seed + " step " + step);
    for (int keep = 0; keep < sinceSync.size(); keep++) {
      assertEquals(sinceSync.get(keep), State.of(store.crashCopy(keep)),
          "seed " + seed + " step " + step + ": a crash keeping " + keep + " writes");
    }
  }
}
