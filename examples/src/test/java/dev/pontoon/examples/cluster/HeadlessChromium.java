package dev.pontoon.examples.cluster;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.logging.Level;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's {@code chromium}, headless, driven through Debian's {@code chromedriver} (both installed
 * by {@code scripts/browser/install-chromium.sh}). Both binaries are named explicitly, so Selenium
 * Manager never tries to download a driver or a browser; the flags keep Chromium from calling any
 * service of its own (the tests run without a network). Each browser gets a fresh profile.
 *
 * <p>Override the paths with {@code -Dpontoon.chromium=…} and {@code -Dpontoon.chromedriver=…}.
 */
final class HeadlessChromium implements AutoCloseable {
  static final Path BROWSER = Path.of(System.getProperty("pontoon.chromium", "/usr/bin/chromium"));
  static final Path DRIVER = Path.of(System.getProperty("pontoon.chromedriver", "/usr/bin/chromedriver"));
  final ChromeDriver driver;

  private HeadlessChromium(ChromeDriver driver) {
    this.driver = driver;
  }

  /** Why no browser can be driven here, in one line, or empty when both binaries are present. */
  static Optional<String> unavailable() {
    for (Path binary : new Path[] {BROWSER, DRIVER}) {
      if (!Files.isExecutable(binary)) {
        return Optional.of("no headless browser: " + binary + " is missing; scripts/browser/install-chromium.sh "
            + "installs Debian's chromium and chromium-driver");
      }
    }
    return Optional.empty();
  }

  /** Starts a browser with an empty profile under {@code profileDir}, its window {@code width} × {@code height}. */
  static HeadlessChromium start(Path profileDir, int width, int height) {
    System.setProperty("webdriver.chrome.driver", DRIVER.toString());
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
        .usingAnyFreePort().withLogOutput(OutputStream.nullOutputStream()).build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--user-data-dir=" + profileDir.toAbsolutePath(), "--window-size=" + width + "," + height);
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    return new HeadlessChromium(new ChromeDriver(service, options));
  }

  void resize(int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
  }

  /** Saves what the page shows now as a PNG. */
  void screenshot(Path file) throws java.io.IOException {
    Path taken = driver.getScreenshotAs(OutputType.FILE).toPath();
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.copy(taken, file, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() {
    driver.quit();
  }
}
