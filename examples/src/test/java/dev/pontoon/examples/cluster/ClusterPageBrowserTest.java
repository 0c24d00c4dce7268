package dev.pontoon.examples.cluster;

import static dev.pontoon.examples.cluster.HttpJson.FOLLOWING;
import static dev.pontoon.examples.cluster.HttpJson.json;
import static dev.pontoon.examples.cluster.HttpJson.send;
import static dev.pontoon.examples.cluster.NodeProcesses.base;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;

/**
 * The cluster page in a real headless browser (Debian's chromium, through Selenium) against three
 * {@code pontoon-kv node} processes: what it shows, and what its controls do. Every test starts
 * from a healthy cluster (three members answering, one leader they all name) and leaves one: a test
 * that kills a node restarts it on its data.
 *
 * <p>Skips every test with one line naming what is missing when there is no browser (the abort is
 * raised per test: one raised in {@code @BeforeAll} reaches surefire's report as no test at all).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterPageBrowserTest {
  /** Three JVMs starting at once on a loaded 2-core machine can take this long to elect. */
  private static final Duration CLUSTER_WAIT = Duration.ofSeconds(60);
  /** What the page may take to show a change: its polling interval is 500 ms. */
  private static final Duration PAGE_WAIT = Duration.ofSeconds(10);
  /** "Within a few seconds" of the leader's death, the page names the new leader. */
  private static final Duration FAILOVER_BOUND = Duration.ofSeconds(10);
  private static final int WIDE = 1100;

  private String unavailable;
  /** Set when the cluster did not recover between tests: the later tests fail at once with it. */
  private String broken;
  private NodeProcesses cluster;
  private HeadlessChromium browser;

  @BeforeAll
  void startClusterAndBrowser(@TempDir Path dir) {
    unavailable = HeadlessChromium.unavailable().orElse(null);
    if (unavailable != null) {
      return;
    }
    cluster = new NodeProcesses(dir);
    cluster.startAll();
    browser = HeadlessChromium.start(dir.resolve("chromium-profile"), WIDE, 900);
  }

  @AfterAll
  void stopClusterAndBrowser() {
    if (browser != null) {
      browser.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @BeforeEach
  void requireBrowserAndHealthyCluster() {
    assumeTrue(unavailable == null, unavailable);
    if (broken != null) {
      throw new AssertionError(broken);
    }
    browser.resize(WIDE, 900);
    cluster.startStopped(); // a test that failed after killing a node did not restart it
    try {
      awaitHealthyCluster();
    } catch (ConditionTimeoutException e) {
      broken = "the three nodes did not agree on one leader within " + CLUSTER_WAIT + ": " + e.getMessage();
      throw new AssertionError(broken, e);
    }
  }

  // ------------------------------------------------------------------ tests

  @Test
  void thePageShowsThreeMembersAndExactlyOneLeader() {
    NodeSpec leader = awaitHealthyCluster();

    open(cluster.members.get(0));
    pageWait().until(() -> reachableCards() == 3);

    List<WebElement> leaders = browser.driver.findElements(By.cssSelector("#members li[data-role='leader']"));
    assertEquals(1, leaders.size(), "leaders shown: " + leaders.size());
    assertEquals(leader.id().value(), leaders.get(0).getDomAttribute("data-member-id"));
    assertEquals(leader.id().value(), summaryLeader());
    assertEquals(3, browser.driver.findElements(By.cssSelector("#logs .log-row ol.strip")).size(), "a log strip per member");
    List<String> refused = browser.driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .map(LogEntry::getMessage).filter(message -> message.contains("Content Security Policy")).toList();
    assertEquals(List.of(), refused, "the page tried to load something its policy refuses");
  }

  @Test
  void atThreeHundredSeventyFivePixelsWideEveryMemberAndControlFitsWithoutScrollingSideways() throws Exception {
    browser.resize(375, 812);
    open(cluster.members.get(1));
    pageWait().until(() -> reachableCards() == 3);

    Number overflow = (Number) browser.driver.executeScript(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
    assertEquals(0, overflow.intValue(), "the page scrolls sideways by " + overflow + " px");
    for (String id : List.of("put-key", "put-value", "get-key", "transfer-target")) {
      WebElement control = browser.driver.findElement(By.id(id));
      WebElement label = browser.driver.findElement(By.cssSelector("label[for='" + id + "']"));
      assertTrue(control.isDisplayed() && label.isDisplayed(), id + " and its label are shown");
    }
    Number height = (Number) browser.driver.executeScript("return document.documentElement.scrollHeight;");
    browser.resize(375, Math.min(2400, height.intValue() + 140));
    browser.screenshot(Path.of("target", "cluster-page-375px.png"));
  }

  @Test
  void aPutFromAFollowersPageIsReadBackWithAPlainHttpRequest() {
    NodeSpec leader = awaitHealthyCluster();
    NodeSpec follower = cluster.others(leader).get(0);
    String key = "from-the-page-" + System.nanoTime();

    open(follower);
    pageWait().until(() -> reachableCards() == 3);
    browser.driver.findElement(By.id("put-key")).sendKeys(key);
    browser.driver.findElement(By.id("put-value")).sendKeys("hello raft");
    browser.driver.findElement(By.cssSelector("#put-form button")).click();
    pageWait().until(() -> !outcome().isEmpty());

    String result = browser.driver.findElement(By.id("result")).getText();
    assertEquals("ok", outcome(), result);
    assertTrue(result.contains("redirected the request to 127.0.0.1:" + leader.http().getPort()), result);
    NodeSpec other = cluster.others(leader).get(1);
    HttpResponse<String> read = send(FOLLOWING, "GET", base(other) + "/kv/" + key, null);
    assertEquals(200, read.statusCode(), read.body());
    assertEquals("hello raft", json(read).get("value").asText());
  }

  @Test
  void aTransferFromThePageMakesTheChosenMemberLeader() {
    NodeSpec leader = awaitHealthyCluster();
    NodeSpec target = cluster.others(leader).get(0);
    NodeSpec pageNode = cluster.others(leader).get(1); // a follower: the request is redirected

    open(pageNode);
    pageWait().until(() -> reachableCards() == 3);
    new Select(browser.driver.findElement(By.id("transfer-target"))).selectByValue(target.id().value());
    browser.driver.findElement(By.cssSelector("#transfer-form button")).click();
    pageWait().until(() -> !outcome().isEmpty());

    String result = browser.driver.findElement(By.id("result")).getText();
    assertEquals("ok", outcome(), result);
    assertTrue(result.startsWith(target.id().value() + " leads now"), result);
    await().atMost(PAGE_WAIT).until(() -> target.equals(cluster.agreedLeader()));
    pageWait().until(() -> target.id().value().equals(summaryLeader()));
  }

  @Test
  void afterTheLeadersProcessIsKilledThePageShowsTheNewLeaderWithinSeconds() throws Exception {
    NodeSpec leader = awaitHealthyCluster();
    NodeSpec watcher = cluster.others(leader).get(0);
    for (int i = 1; i <= 4; i++) {
      put(watcher, "before-failover-" + i, "v" + i); // entries of the old leader's term, for the picture
    }
    open(watcher);
    pageWait().until(() -> reachableCards() == 3 && leader.id().value().equals(summaryLeader()));

    long killedAt = System.nanoTime();
    cluster.kill(leader);
    await().atMost(FAILOVER_BOUND).pollInSameThread().pollInterval(Duration.ofMillis(100)).until(() -> {
      String shown = summaryLeader();
      return !shown.isEmpty() && !shown.equals(leader.id().value())
          && "false".equals(card(leader).getDomAttribute("data-reachable"));
    });
    Duration took = Duration.ofNanos(System.nanoTime() - killedAt);

    String newLeader = summaryLeader();
    assertTrue(cluster.others(leader).stream().anyMatch(m -> m.id().value().equals(newLeader)), newLeader);
    assertEquals("leader", card(cluster.byId(newLeader)).getDomAttribute("data-role"));
    System.out.println("the page showed " + newLeader + " as leader " + took.toMillis() + " ms after " + leader.id()
        + " was killed");
    // Writes in the new term, so that the logs show its colour; then the picture for the README.
    put(watcher, "after-failover-1", "a");
    long last = put(watcher, "after-failover-2", "b");
    pageWait().until(() -> !browser.driver.findElements(By.cssSelector(
        "#logs .log-row[data-member-id='" + watcher.id() + "'] li.committed[data-index='" + last + "']")).isEmpty());
    Number height = (Number) browser.driver.executeScript("return document.documentElement.scrollHeight;");
    browser.resize(WIDE, Math.min(2000, height.intValue() + 140));
    browser.screenshot(Path.of("target", "cluster-page-failover.png"));

    cluster.start(leader); // restarts on its data; @BeforeEach of the next test waits until it is back
  }

  @Test
  void whenThePagesOwnNodeDiesThePageKeepsShowingTheClusterThroughAnotherMember() {
    NodeSpec leader = awaitHealthyCluster();
    NodeSpec watcher = cluster.others(leader).get(0);
    open(watcher);
    pageWait().until(() -> reachableCards() == 3);

    cluster.kill(watcher);
    pageWait().until(() -> "false".equals(card(watcher).getDomAttribute("data-reachable")) && reachableCards() == 2);

    assertEquals(leader.id().value(), summaryLeader());
    String source = browser.driver.findElement(By.id("source")).getText();
    assertTrue(source.contains("this page's node (" + watcher.id() + ") does not answer"), source);
    cluster.start(watcher);
  }

  /** Removing a member from the page takes its card away; added back over the API, it returns. */
  @Test
  void aMemberRemovedFromThePageLeavesTheMembersAndComesBackWhenAddedAgain() {
    NodeSpec leader = awaitHealthyCluster();
    NodeSpec removed = cluster.others(leader).get(0);
    open(cluster.others(leader).get(1));
    pageWait().until(() -> reachableCards() == 3);

    new Select(browser.driver.findElement(By.id("remove-target"))).selectByValue(removed.id().value());
    browser.driver.findElement(By.cssSelector("#remove-form button")).click();
    pageWait().until(() -> !outcome().isEmpty());
    String result = browser.driver.findElement(By.id("result")).getText();
    assertEquals("ok", outcome(), result);
    assertTrue(result.startsWith(removed.id() + " removed; voters now "), result);
    pageWait().until(() -> browser.driver.findElements(By.cssSelector("#members li")).size() == 2);

    String body = "{\"id\":\"" + removed.id() + "\",\"http\":\"" + NodeSpec.hostPort(removed.http())
        + "\",\"raft\":\"" + NodeSpec.hostPort(removed.raft()) + "\",\"role\":\"voter\"}";
    await().atMost(CLUSTER_WAIT).pollInterval(Duration.ofMillis(500))
        .until(() -> send(FOLLOWING, "POST", base(leader) + "/admin/members", body).statusCode() == 200);
    pageWait().until(() -> reachableCards() == 3);
  }

  // ------------------------------------------------------------------ helpers

  private NodeSpec awaitHealthyCluster() {
    await().atMost(CLUSTER_WAIT).pollInterval(Duration.ofMillis(200)).until(() -> cluster.agreedLeader() != null);
    return cluster.agreedLeader();
  }

  /** Waits on the page; WebDriver calls stay on the test's thread. */
  private static ConditionFactory pageWait() {
    return await().atMost(PAGE_WAIT).pollInSameThread().pollInterval(Duration.ofMillis(100));
  }

  /** PUT through {@code m} (following a redirect to the leader); the entry's index. */
  private static long put(NodeSpec m, String key, String value) {
    HttpResponse<String> answer = send(FOLLOWING, "PUT", base(m) + "/kv/" + key, value);
    assertEquals(200, answer.statusCode(), answer.body());
    return json(answer).get("index").asLong();
  }

  private void open(NodeSpec m) {
    browser.driver.get(base(m) + "/");
  }

  private int reachableCards() {
    return browser.driver.findElements(By.cssSelector("#members li[data-reachable='true']")).size();
  }

  private WebElement card(NodeSpec m) {
    return browser.driver.findElement(By.cssSelector("#members li[data-member-id='" + m.id() + "']"));
  }

  private String summaryLeader() {
    return browser.driver.findElement(By.id("summary")).getDomAttribute("data-leader");
  }

  private String outcome() {
    String outcome = browser.driver.findElement(By.id("result")).getDomAttribute("data-outcome");
    return outcome == null ? "" : outcome;
  }
}
