package dev.kubespan.discovery.kubernetes.internal;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The little DER needed to turn the "traditional" key files kubeconfigs carry (PKCS#1 RSA,
 * SEC1 EC) into the PKCS#8 form the JDK's key factories read.
 */
final class Der {
    static final int INTEGER = 0x02;
    static final int OCTET_STRING = 0x04;
    static final int NULL = 0x05;
    static final int OID = 0x06;
    static final int SEQUENCE = 0x30;
    /** [0] EXPLICIT, as SEC1 wraps the curve OID. */
    static final int CONTEXT_0 = 0xA0;

    /** One element inside {@code source}: header at {@code start}, content up to {@code end}. */
    record Element(int tag, byte[] source, int start, int contentStart, int end) {
        byte[] content() {
            return Arrays.copyOfRange(source, contentStart, end);
        }

        /** Tag, length and content. */
        byte[] encoding() {
            return Arrays.copyOfRange(source, start, end);
        }

        /** The elements of a constructed value (SEQUENCE, [0]). */
        List<Element> children() {
            List<Element> out = new ArrayList<>();
            int pos = contentStart;
            while (pos < end) {
                Element e = read(source, pos, end);
                out.add(e);
                pos = e.end;
            }
            return out;
        }
    }

    private Der() {
    }

    /** Reads the single element that makes up {@code der}; trailing bytes are an error. */
    static Element parse(byte[] der) {
        Element e = read(der, 0, der.length);
        if (e.end != der.length) {
            throw new IllegalArgumentException("trailing bytes after DER value");
        }
        return e;
    }

    private static Element read(byte[] b, int pos, int limit) {
        if (pos + 2 > limit) {
            throw new IllegalArgumentException("truncated DER value");
        }
        int tag = b[pos] & 0xff;
        int len = b[pos + 1] & 0xff;
        int p = pos + 2;
        if (len >= 0x80) {
            int n = len & 0x7f;
            if (n == 0 || n > 3 || p + n > limit) {
                throw new IllegalArgumentException("unsupported DER length");
            }
            len = 0;
            for (int i = 0; i < n; i++) {
                len = (len << 8) | (b[p++] & 0xff);
            }
        }
        if (len > limit - p) {
            throw new IllegalArgumentException("truncated DER value");
        }
        return new Element(tag, b, pos, p, p + len);
    }

    static byte[] tlv(int tag, byte[]... parts) {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            content.writeBytes(part);
        }
        byte[] c = content.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream(c.length + 5);
        out.write(tag);
        int len = c.length;
        if (len < 0x80) {
            out.write(len);
        } else if (len < 0x100) {
            out.write(0x81);
            out.write(len);
        } else if (len < 0x10000) {
            out.write(0x82);
            out.write(len >> 8);
            out.write(len);
        } else {
            out.write(0x83);
            out.write(len >> 16);
            out.write(len >> 8);
            out.write(len);
        }
        out.writeBytes(c);
        return out.toByteArray();
    }

    static byte[] smallInteger(int v) {
        return tlv(INTEGER, new byte[] { (byte) v });
    }

    static byte[] nul() {
        return new byte[] { NULL, 0 };
    }
}
