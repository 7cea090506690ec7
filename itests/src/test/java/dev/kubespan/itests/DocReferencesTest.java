package dev.kubespan.itests;

import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.Test;

/**
 * Every reference to the project's documents resolves in a fresh clone: a comment, README or test
 * that cites {@code docs/<file>.md §n} finds that file and a heading numbered {@code n} in it; no
 * spec is cited without its {@code docs/} path; nothing points outside the repository (the
 * notebook the specs were first written in, another checkout).
 */
public class DocReferencesTest {
    private static final Path ROOT = Path.of(System.getProperty("kubespan.itest.root", "..")).normalize();
    private static final List<String> DOCS = List.of("kubespan-node", "discovery-protocol", "wireguard", "architecture");
    private static final Pattern CITATION = Pattern.compile(
            "docs/(" + String.join("|", DOCS) + ")\\.md`?\\]?(?:\\([^)]*\\))?((?:\\s*(?:§\\s*[\\d.]*\\d|[-–,/+]|and|steps? [\\d-]+))*)");
    private static final Pattern SECTION = Pattern.compile("§\\s*(\\d+(?:\\.\\d+)*)");
    private static final Pattern BARE = Pattern.compile("(?<![\\w/.-])(" + String.join("|", DOCS)
            + "|osgi-conventions|netlink-and-itests|grpc-in-osgi|next-components|peers-and-users|kernel-vm|nat-lab|netns-mesh)\\.md");
    private static final Pattern OUTSIDE = Pattern.compile("\\.\\./shared|/work/shared|(?<![\\w.-])shared/(?:spec|docs|lab)/|/work/main");
    private static final Set<String> TEXT = Set.of("java", "md", "proto", "sh", "xml", "bnd", "yaml", "properties", "txt");

    @Test
    public void everyDocumentReferenceResolvesInsideTheRepository() throws IOException {
        Map<String, Set<String>> sections = new HashMap<>();
        for (String doc : DOCS) {
            sections.put(doc, headings(ROOT.resolve("docs/" + doc + ".md")));
        }
        List<String> problems = new ArrayList<>();
        int citations = 0;
        for (Path file : sourceFiles()) {
            String text;
            try {
                text = Files.readString(file);
            } catch (MalformedInputException e) {
                continue;
            }
            String where = ROOT.relativize(file).toString();
            Matcher c = CITATION.matcher(text);
            while (c.find()) {
                citations++;
                Matcher s = SECTION.matcher(c.group(2));
                while (s.find()) {
                    if (!sections.get(c.group(1)).contains(s.group(1))) {
                        problems.add(where + ": docs/" + c.group(1) + ".md has no §" + s.group(1));
                    }
                }
            }
            if (!where.startsWith("docs/")) {
                Matcher b = BARE.matcher(text);
                while (b.find()) {
                    problems.add(where + ": " + b.group() + " without its docs/ path");
                }
            }
            Matcher o = OUTSIDE.matcher(text);
            while (o.find()) {
                problems.add(where + ": points outside the repository: " + o.group());
            }
        }
        assertTrue("no citation found at all: is " + ROOT + " the repository?", citations > 50);
        assertTrue(String.join("\n", problems), problems.isEmpty());
    }

    /** The section numbers of a document's headings ({@code ## 4.3 Peer state} → {@code 4.3}). */
    private static Set<String> headings(Path doc) throws IOException {
        Set<String> out = new HashSet<>();
        Matcher m = Pattern.compile("(?m)^#+ (\\d+(?:\\.\\d+)*)\\.? ").matcher(Files.readString(doc));
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static List<Path> sourceFiles() throws IOException {
        try (Stream<Path> s = Files.walk(ROOT)) {
            return s.filter(p -> !isSkipped(ROOT.relativize(p)))
                    .filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        int dot = n.lastIndexOf('.');
                        return dot > 0 && TEXT.contains(n.substring(dot + 1));
                    }).toList();
        }
    }

    /** Build output, version control, and this test itself (its patterns name what it looks for). */
    private static boolean isSkipped(Path relative) {
        for (Path part : relative) {
            String n = part.toString();
            if (n.equals("target") || n.equals(".git") || n.equals("node_modules")) {
                return true;
            }
        }
        return relative.getFileName() != null && relative.getFileName().toString().equals("DocReferencesTest.java");
    }
}
