package dev.pontoon.raft.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ForwardingLogStoreTest {

  /**
   * Every method of {@link LogStore}, its default methods included, reaches the delegate: a
   * method added to the interface later and not forwarded makes this fail.
   */
  @Test
  void everyLogStoreMethodReachesTheDelegate() throws Exception {
    Set<String> reached = new TreeSet<>();
    LogStore recording = (LogStore) Proxy.newProxyInstance(LogStore.class.getClassLoader(),
        new Class<?>[] {LogStore.class}, (proxy, method, args) -> {
          reached.add(signature(method));
          return defaultValue(method.getReturnType());
        });
    LogStore forwarding = new ForwardingLogStore() {
      @Override
      protected LogStore delegate() {
        return recording;
      }
    };
    Set<String> all = new TreeSet<>();
    for (Method m : LogStore.class.getMethods()) {
      if (java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
        continue;
      }
      all.add(signature(m));
      Object[] args = Arrays.stream(m.getParameterTypes()).map(ForwardingLogStoreTest::defaultValue).toArray();
      m.invoke(forwarding, args);
    }
    assertEquals(all, reached);
  }

  private static String signature(Method m) {
    return m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName)
        .collect(Collectors.joining(",", "(", ")"));
  }

  private static Object defaultValue(Class<?> type) {
    if (type == long.class) {
      return 0L;
    } else if (type == boolean.class) {
      return false;
    } else if (type == int.class) {
      return 0;
    } else if (type == List.class) {
      return List.of();
    }
    return null;
  }
}
