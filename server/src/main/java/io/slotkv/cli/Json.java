package io.slotkv.cli;

import java.util.Map;

/** The little JSON the commands print: one flat object of strings, numbers and booleans. */
final class Json
{
    private Json()
    {
    }

    static String object(final Map<String, ?> fields)
    {
        final StringBuilder json = new StringBuilder("{");
        fields.forEach((name, value) ->
        {
            if (json.length() > 1)
            {
                json.append(',');
            }
            string(json, name).append(':');
            if (value instanceof Double && !Double.isFinite((Double)value))
            {
                json.append("null");
            }
            else if (value instanceof Number || value instanceof Boolean)
            {
                json.append(value);
            }
            else
            {
                string(json, String.valueOf(value));
            }
        });
        return json.append('}').toString();
    }

    private static StringBuilder string(final StringBuilder json, final String text)
    {
        json.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if ('"' == c || '\\' == c)
            {
                json.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                json.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                json.append(c);
            }
        }
        return json.append('"');
    }
}
