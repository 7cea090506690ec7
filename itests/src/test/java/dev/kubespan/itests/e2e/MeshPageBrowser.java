package dev.kubespan.itests.e2e;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Debian's headless Chromium, driven by its chromedriver over WebDriver, on the mesh page of one
 * agent. Chromium runs in the test JVM's namespace (on the lab bridge), records every request
 * it makes (the performance log), and starts with the flags that keep it from calling home.
 */
final class MeshPageBrowser implements AutoCloseable {
    private final ChromeDriver driver;
    private final ChromeDriverService service;
    private final ObjectMapper json = new ObjectMapper();

    MeshPageBrowser(Path profile) throws IOException {
        Files.createDirectories(profile);
        service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                .usingAnyFreePort().withLogFile(profile.resolveSibling("chromedriver.log").toFile()).build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
                "--user-data-dir=" + profile, "--window-size=1280,1100");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    void open(String url) {
        driver.get(url);
    }

    /** The page's peer table: name → the state it shows. */
    Map<String, String> peerStates() {
        // Read in one script: the page redraws every 2 s, so elements found one call earlier go stale.
        return read("const o = {}; document.querySelectorAll('#peers tbody tr').forEach(tr =>"
                + " o[tr.getAttribute('data-peer')] = tr.querySelector('[data-testid=state]').textContent); return o;");
    }

    /** The graph's nodes: name → state ({@code self}, {@code up}, {@code down}, {@code unknown}, {@code member}). */
    Map<String, String> graphNodes() {
        return read("const o = {}; document.querySelectorAll('#mesh-graph g.node').forEach(g =>"
                + " o[g.getAttribute('data-name')] = g.getAttribute('data-state')); return o;");
    }

    private Map<String, String> read(String script) {
        Map<String, String> out = new TreeMap<>();
        Object r = driver.executeScript(script);
        if (r instanceof Map<?, ?> m) {
            m.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        }
        return out;
    }

    /** Leaves a mark in the page's JavaScript state: a reload would lose it. */
    void markPage() {
        driver.executeScript("window.kubespanTestMark = 'still here';");
    }

    boolean pageStillMarked() {
        return "still here".equals(driver.executeScript("return window.kubespanTestMark;"));
    }

    String freshness() {
        return driver.findElement(By.id("freshness")).getText();
    }

    String pageSource() {
        return driver.getPageSource();
    }

    /** Whether uPlot drew its three charts (a canvas each). */
    int charts() {
        return driver.findElements(By.cssSelector(".chart canvas")).size();
    }

    void screenshot(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Every URL the browser requested since the last call (from Network.requestWillBeSent). */
    List<URI> requests() throws IOException {
        List<URI> out = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode m = json.readTree(e.getMessage()).path("message");
            if ("Network.requestWillBeSent".equals(m.path("method").asText())) {
                out.add(URI.create(m.path("params").path("request").path("url").asText()));
            }
        }
        return out;
    }

    /** The browser console (errors such as a Content-Security-Policy violation). */
    List<String> console() {
        List<String> out = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            out.add(e.getLevel() + " " + e.getMessage());
        }
        return out;
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
        }
    }
}
