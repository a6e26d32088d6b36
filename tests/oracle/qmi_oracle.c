/* qmi_oracle: has libqmi decode every QMI frame of an uplink-sim capture (--qmi-capture), so
 * that what uplinkd writes and what the emulator answers are checked by a codec that is not
 * ours. Test-only: built with the tests, never linked into uplinkd.
 *
 *   qmi_oracle CAPTURE
 *
 * CAPTURE has lines "<modem id> host|modem <hex>", the bytes each side wrote, as they crossed
 * (docs/scenario.md "Capturing the QMI dialogue"). The bytes of each (modem, sender) stream are
 * framed by libqmi itself (qmi_message_new_from_raw), as its QmiDevice frames what it reads.
 * Output, one record a line, fields separated by tabs:
 *
 *   frame      <modem> <sender> <hex of the whole frame>
 *   message    <service> <client> request|response|indication <transaction> <message id> <name>
 *   tlv        <type> <hex of the value> <name> <translated>
 *   end
 *   refused    <modem> <sender> <hex of the bytes libqmi refused> <libqmi's error>
 *   incomplete <modem> <sender> <hex of the bytes left at the end>
 *   summary    frames=<n> refused=<n> incomplete=<n>
 *
 * Numbers are decimal; <name> is libqmi's name for the message or TLV ("" when it has none);
 * <translated> is libqmi's own reading of the TLV value (qmi_message_get_printable_full), with
 * tab, newline and backslash escaped as \t, \n and \\, and "" when libqmi does not translate it.
 * Exit status: 0 when libqmi took every byte as a frame, 1 when it refused some or bytes were
 * left over, 2 for a bad command line or capture file.
 */
#include <libqmi-glib.h>
#include <stdio.h>
#include <string.h>

#define PREFIX "|"

static void print_hex(const guint8* bytes, gsize length)
{
    for (gsize index = 0; index < length; ++index)
        printf("%02x", bytes[index]);
}

static void print_escaped(const gchar* text)
{
    for (; *text != '\0'; ++text) {
        if (*text == '\t')
            fputs("\\t", stdout);
        else if (*text == '\n')
            fputs("\\n", stdout);
        else if (*text == '\\')
            fputs("\\\\", stdout);
        else
            putchar(*text);
    }
}

/* One TLV as libqmi's printable text shows it. */
typedef struct {
    GString* name;
    GString* translated;
} PrintedTlv;

static void printed_tlv_free(gpointer data)
{
    PrintedTlv* tlv = data;
    g_string_free(tlv->name, TRUE);
    g_string_free(tlv->translated, TRUE);
    g_free(tlv);
}

/* The text between the first pair of double quotes of `line`, or nothing. */
static void take_quoted(const gchar* line, GString* into)
{
    const gchar* open = strchr(line, '"');
    const gchar* close = open != NULL ? strchr(open + 1, '"') : NULL;
    if (close != NULL)
        g_string_append_len(into, open + 1, close - open - 1);
}

/* Reads the message name and each TLV's name and translation from the printable text. Every
 * line libqmi writes starts with PREFIX; a line without it continues the value above it. */
static GPtrArray* read_printable(const gchar* printable, GString* message_name)
{
    GPtrArray* tlvs = g_ptr_array_new_with_free_func(printed_tlv_free);
    gchar** lines = g_strsplit(printable, "\n", -1);
    GString* continued = NULL;
    for (gchar** line = lines; *line != NULL; ++line) {
        if (!g_str_has_prefix(*line, PREFIX)) {
            if (continued != NULL && **line != '\0') {
                g_string_append_c(continued, '\n');
                g_string_append(continued, *line);
            }
            continue;
        }
        const gchar* text = *line + strlen(PREFIX);
        continued = NULL;
        if (strcmp(text, "TLV:") == 0) {
            PrintedTlv* tlv = g_new0(PrintedTlv, 1);
            tlv->name = g_string_new(NULL);
            tlv->translated = g_string_new(NULL);
            g_ptr_array_add(tlvs, tlv);
            continue;
        }
        while (*text == ' ')
            ++text;
        PrintedTlv* current = tlvs->len > 0 ? g_ptr_array_index(tlvs, tlvs->len - 1) : NULL;
        if (current == NULL && g_str_has_prefix(text, "message ")) {
            take_quoted(text, message_name);
        } else if (current != NULL && g_str_has_prefix(text, "type ")) {
            take_quoted(text, current->name);
        } else if (current != NULL && g_str_has_prefix(text, "translated = ")) {
            g_string_append(current->translated, text + strlen("translated = "));
            continued = current->translated;
        }
    }
    g_strfreev(lines);
    return tlvs;
}

typedef struct {
    guint8 type;
    GByteArray* value;
} RawTlv;

static void raw_tlv_free(gpointer data)
{
    RawTlv* tlv = data;
    g_byte_array_unref(tlv->value);
    g_free(tlv);
}

static void collect_raw_tlv(guint8 type, const guint8* value, gsize length, gpointer user_data)
{
    RawTlv* tlv = g_new0(RawTlv, 1);
    tlv->type = type;
    tlv->value = g_byte_array_new();
    g_byte_array_append(tlv->value, value, (guint)length);
    g_ptr_array_add(user_data, tlv);
}

static const char* type_of(QmiMessage* message)
{
    if (qmi_message_is_indication(message))
        return "indication";
    if (qmi_message_is_response(message))
        return "response";
    return "request";
}

static void print_frame(const char* modem, const char* sender, QmiMessage* message)
{
    gsize length = 0;
    const guint8* raw = qmi_message_get_raw(message, &length, NULL);
    printf("frame\t%s\t%s\t", modem, sender);
    print_hex(raw, length);

    GString* message_name = g_string_new(NULL);
    gchar* printable = qmi_message_get_printable_full(message, NULL, PREFIX);
    GPtrArray* printed = read_printable(printable, message_name);
    printf("\nmessage\t%u\t%u\t%s\t%u\t%u\t%s\n", (unsigned)qmi_message_get_service(message),
        (unsigned)qmi_message_get_client_id(message), type_of(message),
        (unsigned)qmi_message_get_transaction_id(message),
        (unsigned)qmi_message_get_message_id(message), message_name->str);

    GPtrArray* raw_tlvs = g_ptr_array_new_with_free_func(raw_tlv_free);
    qmi_message_foreach_raw_tlv(message, collect_raw_tlv, raw_tlvs);
    for (guint index = 0; index < raw_tlvs->len; ++index) {
        RawTlv* tlv = g_ptr_array_index(raw_tlvs, index);
        /* The printable text lists the same TLVs in the same order. */
        PrintedTlv* shown = index < printed->len ? g_ptr_array_index(printed, index) : NULL;
        printf("tlv\t%u\t", (unsigned)tlv->type);
        print_hex(tlv->value->data, tlv->value->len);
        putchar('\t');
        print_escaped(shown != NULL ? shown->name->str : "");
        putchar('\t');
        print_escaped(shown != NULL ? shown->translated->str : "");
        putchar('\n');
    }
    puts("end");
    g_ptr_array_unref(raw_tlvs);
    g_ptr_array_unref(printed);
    g_free(printable);
    g_string_free(message_name, TRUE);
}

typedef struct {
    guint frames, refused, incomplete;
} Totals;

/* Frames what the stream holds now; what is left waits for the stream's next bytes. */
static void drain(const char* modem, const char* sender, GByteArray* stream, Totals* totals)
{
    while (stream->len > 0) {
        GByteArray* before = g_byte_array_new();
        g_byte_array_append(before, stream->data, stream->len);
        GError* error = NULL;
        QmiMessage* message = qmi_message_new_from_raw(stream, &error);
        if (message != NULL) {
            ++totals->frames;
            print_frame(modem, sender, message);
            qmi_message_unref(message);
        } else if (error != NULL) {
            /* libqmi drops the refused frame; if it took nothing, the whole rest goes. */
            guint taken = before->len - stream->len;
            if (taken == 0) {
                taken = stream->len;
                g_byte_array_set_size(stream, 0);
            }
            ++totals->refused;
            printf("refused\t%s\t%s\t", modem, sender);
            print_hex(before->data, taken);
            putchar('\t');
            print_escaped(error->message);
            putchar('\n');
            g_error_free(error);
        }
        g_byte_array_unref(before);
        if (message == NULL && error == NULL)
            break; /* not a whole frame yet */
    }
}

static gboolean parse_hex(const char* text, GByteArray* into)
{
    gsize length = strlen(text);
    if (length % 2 != 0)
        return FALSE;
    for (gsize index = 0; index < length; index += 2) {
        gint high = g_ascii_xdigit_value(text[index]);
        gint low = g_ascii_xdigit_value(text[index + 1]);
        if (high < 0 || low < 0)
            return FALSE;
        guint8 byte = (guint8)(high * 16 + low);
        g_byte_array_append(into, &byte, 1);
    }
    return TRUE;
}

static void free_stream(gpointer data)
{
    g_byte_array_unref(data);
}

int main(int argc, char** argv)
{
    if (argc != 2) {
        fputs("usage: qmi_oracle CAPTURE\n", stderr);
        return 2;
    }
    /* libqmi prints usernames, passwords, IMEIs and the like as '###' unless told otherwise. */
    qmi_utils_set_show_personal_info(TRUE);
    gchar* contents = NULL;
    GError* error = NULL;
    if (!g_file_get_contents(argv[1], &contents, NULL, &error)) {
        fprintf(stderr, "qmi_oracle: %s\n", error->message);
        g_error_free(error);
        return 2;
    }
    /* "<modem> <sender>" -> the bytes of that stream not yet framed, in first-seen order. */
    GHashTable* streams = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_stream);
    GPtrArray* order = g_ptr_array_new_with_free_func(g_free);
    Totals totals = {0, 0, 0};
    int status = 0;
    gchar** lines = g_strsplit(contents, "\n", -1);
    for (guint number = 0; lines[number] != NULL && status == 0; ++number) {
        if (lines[number][0] == '\0')
            continue;
        gchar** fields = g_strsplit(lines[number], " ", -1);
        if (g_strv_length(fields) != 3
            || (strcmp(fields[1], "host") != 0 && strcmp(fields[1], "modem") != 0)) {
            fprintf(stderr, "qmi_oracle: %s:%u: expected \"<modem> host|modem <hex>\"\n", argv[1],
                number + 1);
            status = 2;
        } else {
            gchar* key = g_strjoin(" ", fields[0], fields[1], NULL);
            GByteArray* stream = g_hash_table_lookup(streams, key);
            if (stream == NULL) {
                stream = g_byte_array_new();
                g_hash_table_insert(streams, g_strdup(key), stream);
                g_ptr_array_add(order, g_strdup(key));
            }
            g_free(key);
            if (!parse_hex(fields[2], stream)) {
                fprintf(stderr, "qmi_oracle: %s:%u: bad hex\n", argv[1], number + 1);
                status = 2;
            } else {
                drain(fields[0], fields[1], stream, &totals);
            }
        }
        g_strfreev(fields);
    }
    for (guint index = 0; index < order->len && status == 0; ++index) {
        const gchar* key = g_ptr_array_index(order, index);
        GByteArray* stream = g_hash_table_lookup(streams, key);
        if (stream->len == 0)
            continue;
        ++totals.incomplete;
        const gchar* space = strchr(key, ' ');
        printf("incomplete\t%.*s\t%s\t", (int)(space - key), key, space + 1);
        print_hex(stream->data, stream->len);
        putchar('\n');
    }
    if (status == 0) {
        printf("summary\tframes=%u\trefused=%u\tincomplete=%u\n", totals.frames, totals.refused,
            totals.incomplete);
        status = totals.refused > 0 || totals.incomplete > 0 ? 1 : 0;
    }
    g_strfreev(lines);
    g_ptr_array_unref(order);
    g_hash_table_unref(streams);
    g_free(contents);
    return status;
}
