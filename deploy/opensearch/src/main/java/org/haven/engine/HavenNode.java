package org.haven.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.ExtensiblePlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * OpenSearch node for local development and tests: a single node, or one node of a local cluster.
 *
 * <p>Runs one node in this JVM with the HTTP transport (Netty 4), the common
 * analysis module and Painless loaded from the class path. The node binds to
 * 127.0.0.1 only, speaks plain HTTP and keeps its data under the home folder.
 * It stays in the foreground until the process is terminated; SIGTERM or
 * SIGINT close the node cleanly.
 *
 * <pre>
 * java -cp 'haven-engine.jar:lib/*' org.haven.engine.HavenNode --home DIR [--port 9200]
 *      [--transport-port 9300-9399] [--cluster-name haven] [--repo DIR]
 *      [--node-name N --seed-hosts 127.0.0.1:9301,127.0.0.1:9302 --cluster-managers n1,n2,n3]
 * </pre>
 *
 * Without {@code --seed-hosts} the node runs alone ({@code discovery.type: single-node}); with them it
 * joins the nodes named there and, on a first start, elects a cluster manager among
 * {@code --cluster-managers}. {@code --repo} is {@code path.repo}, where snapshot repositories may live.
 *
 * Every option can also be given as a system property: {@code haven.engine.home},
 * {@code haven.engine.port}, {@code haven.engine.transport.port},
 * {@code haven.engine.cluster.name}.
 */
public final class HavenNode {

    static final String NODE_NAME = "haven-engine";

    /** The modules this node loads from the class path. */
    static final List<Class<? extends Plugin>> MODULES =
        List.of(Netty4Plugin.class, CommonAnalysisPlugin.class, PainlessPlugin.class);

    /** A {@link Node} that accepts plugins found on the class path. */
    static final class ClasspathNode extends Node {
        ClasspathNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    private HavenNode() {}

    public static void main(String[] args) throws Exception {
        String home = System.getProperty("haven.engine.home");
        String port = System.getProperty("haven.engine.port", "9200");
        String transportPort = System.getProperty("haven.engine.transport.port", "9300-9399");
        String clusterName = System.getProperty("haven.engine.cluster.name", "haven");
        String nodeName = NODE_NAME;
        String seedHosts = null;
        String clusterManagers = null;
        String repo = null;

        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--home":
                    home = value(args, ++i, arg);
                    break;
                case "--port":
                    port = value(args, ++i, arg);
                    break;
                case "--transport-port":
                    transportPort = value(args, ++i, arg);
                    break;
                case "--cluster-name":
                    clusterName = value(args, ++i, arg);
                    break;
                case "--node-name":
                    nodeName = value(args, ++i, arg);
                    break;
                case "--seed-hosts":
                    seedHosts = value(args, ++i, arg);
                    break;
                case "--cluster-managers":
                    clusterManagers = value(args, ++i, arg);
                    break;
                case "--repo":
                    repo = value(args, ++i, arg);
                    break;
                case "-h":
                case "--help":
                    System.out.println("usage: HavenNode --home DIR [--port 9200] "
                        + "[--transport-port 9300-9399] [--cluster-name haven] [--repo DIR] "
                        + "[--node-name N --seed-hosts H:P,... --cluster-managers N,...]");
                    return;
                default:
                    if (home == null && !arg.startsWith("-")) {
                        home = arg;
                    } else {
                        fail("unknown argument: " + arg);
                    }
            }
        }
        if (home == null) {
            fail("missing --home DIR");
        }

        Path homePath = Paths.get(home).toAbsolutePath().normalize();
        Path dataPath = homePath.resolve("data");
        Path logsPath = homePath.resolve("logs");
        Path configPath = homePath.resolve("config");
        for (Path dir : List.of(dataPath, logsPath, configPath,
                homePath.resolve("plugins"), homePath.resolve("modules"))) {
            Files.createDirectories(dir);
        }

        Settings.Builder builder = Settings.builder()
            .put("path.home", homePath.toString())
            .put("path.data", dataPath.toString())
            .put("path.logs", logsPath.toString())
            .put("cluster.name", clusterName)
            .put("node.name", nodeName)
            .put("network.host", "127.0.0.1")
            .put("http.port", port)
            .put("transport.port", transportPort)
            // Development machines often have nearly full disks; never turn indices read-only.
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("action.destructive_requires_name", false);
        if (seedHosts == null) {
            builder.put("discovery.type", "single-node");
        } else {
            builder.putList("discovery.seed_hosts", List.of(seedHosts.split(",")));
            if (clusterManagers != null) {
                builder.putList("cluster.initial_cluster_manager_nodes", List.of(clusterManagers.split(",")));
            }
            // A dead node is noticed within seconds on one machine, not the default half minute.
            builder.put("cluster.fault_detection.follower_check.interval", "500ms")
                .put("cluster.fault_detection.follower_check.timeout", "2s")
                .put("cluster.fault_detection.follower_check.retry_count", 2)
                .put("cluster.fault_detection.leader_check.interval", "500ms")
                .put("cluster.fault_detection.leader_check.timeout", "2s")
                .put("cluster.fault_detection.leader_check.retry_count", 2);
        }
        if (repo != null) {
            Path repoPath = Paths.get(repo).toAbsolutePath().normalize();
            Files.createDirectories(repoPath);
            builder.put("path.repo", repoPath.toString());
        }
        Settings settings = builder.build();
        final String name = nodeName;

        writeLoggingConfig(configPath);
        LogConfigurator.setNodeName(name);
        LogConfigurator.registerErrorListener();
        Environment environment = InternalSettingsPreparer.prepareEnvironment(
            settings, Collections.emptyMap(), configPath, () -> name);
        LogConfigurator.configure(environment);

        long started = System.nanoTime();
        loadPainlessExtensions();
        Node node = new ClasspathNode(environment, MODULES);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
                if (!node.awaitClose(30, TimeUnit.SECONDS)) {
                    System.err.println("[haven-engine] node did not close within 30s");
                }
            } catch (IOException | InterruptedException e) {
                System.err.println("[haven-engine] error while closing: " + e);
            } finally {
                stopped.countDown();
            }
        }, "haven-engine-shutdown"));

        try {
            node.start();
        } catch (Exception e) {
            System.err.println("[haven-engine] failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        System.out.println("[haven-engine] started in " + millis + " ms: http://127.0.0.1:" + port
            + " (home " + homePath + ")");

        // Keep the process in the foreground until the shutdown hook has closed the node.
        stopped.await();
    }

    /**
     * Registers Painless extensions found on the class path (such as the analysis-common
     * allowlist for predicate token filters). A distribution does this while loading module
     * bundles; plugins given on the class path are not offered extensions. The allowlists
     * live in a static map, so loading them through a throwaway instance before the node is
     * built makes them visible to the node's own Painless engine.
     */
    private static void loadPainlessExtensions() {
        new PainlessPlugin().loadExtensions(new ExtensiblePlugin.ExtensionLoader() {
            @Override
            public <T> List<T> loadExtensions(Class<T> type) {
                List<T> found = new ArrayList<>();
                ServiceLoader.load(type, HavenNode.class.getClassLoader()).forEach(found::add);
                return found;
            }
        });
    }

    /** Writes the bundled log4j2.properties into the config folder unless one is already there. */
    private static void writeLoggingConfig(Path configPath) throws IOException {
        Path target = configPath.resolve("log4j2.properties");
        if (Files.exists(target)) {
            return;
        }
        try (InputStream in = HavenNode.class.getResourceAsStream("/haven-log4j2.properties")) {
            if (in == null) {
                throw new IOException("haven-log4j2.properties missing from the class path");
            }
            Files.copy(in, target);
        }
    }

    private static String value(String[] args, int index, String option) {
        if (index >= args.length) {
            fail("missing value for " + option);
        }
        return args[index];
    }

    private static void fail(String message) {
        System.err.println("[haven-engine] " + message);
        System.exit(2);
    }
}
