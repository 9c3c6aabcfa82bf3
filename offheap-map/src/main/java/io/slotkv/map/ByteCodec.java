package io.slotkv.map;

import org.agrona.DirectBuffer;

/**
 * How a map view of an {@link OffHeapByteStore} ({@link OffHeapByteStore#asConcurrentMap(ByteCodec, ByteCodec)})
 * turns its keys or values into the store's bytes and back.
 * <p>
 * The view compares keys and values by their encoded bytes (the store's {@code replace(k, expected, v)} and
 * {@code remove(k, expected)} compare bytes), so a codec must be <b>deterministic</b> (equal objects encode to the
 * same bytes, every time) and <b>injective</b> (unequal objects encode to different bytes), and
 * {@code decode(encode(x))} must equal {@code x}. A codec is shared by every thread using the view: it must be
 * thread-safe (stateless is simplest).
 *
 * @param <T> the type of the keys or values.
 */
public interface ByteCodec<T>
{
    /**
     * Strings as their UTF-8 bytes, the encoding of the store's own {@code putString}/{@code getString}. Encoding
     * is {@link String#getBytes(java.nio.charset.Charset)}: a String with an unpaired surrogate encodes it as
     * {@code ?}, the one case where two Strings share bytes. Bytes that are not valid UTF-8 (stored through the byte
     * API) decode with U+FFFD in place of each malformed sequence.
     */
    ByteCodec<String> UTF_8 = new Utf8StringCodec();

    /**
     * The class of the objects this codec encodes (for a generic type, its raw class). A view treats a key or value
     * given to a query ({@code get}, {@code containsKey}, {@code remove}, ...) that is not an instance of it as
     * absent, as a {@code ConcurrentHashMap} does for a key no key equals.
     *
     * @return the class of {@code T}.
     */
    Class<T> type();

    /**
     * Encode an object.
     *
     * @param value the object, never null.
     * @return its bytes, never null; the view does not keep the array, and the store copies it.
     */
    byte[] encode(T value);

    /**
     * Decode an object from bytes this codec encoded (or bytes stored through the store's byte API).
     *
     * @param buffer the buffer holding the bytes; valid only during this call.
     * @param offset of the first byte in {@code buffer}.
     * @param length of the bytes, 0 or more.
     * @return the object, never null.
     * @throws RuntimeException of the codec's choice if the bytes are not an encoding of a {@code T}: the view's
     *                          operation passes it to its caller unchanged.
     */
    T decode(DirectBuffer buffer, int offset, int length);
}
