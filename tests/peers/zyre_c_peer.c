/*  A C zyre node for the interop test (tests/manual/zyre_c_interop.ts).

    Usage: zyre_c_peer <beacon port | tcp endpoint> <name> <run ms>

    With a port, the node discovers peers with UDP beacons on that port
    (czmq's zbeacon needs a broadcast-capable interface: loopback is not
    one). With an endpoint such as tcp://127.0.0.1:5000, its inbox binds
    there and beaconing is off (zyre's gossip mode, with no gossip peers):
    the test then announces it with a beacon of its own making, and the
    rest is plain ZRE over TCP.
    Joins GLOBAL, prints one line per event on stdout, whispers
    "hello" "from C" to every peer that enters and shouts "echo" + the
    frames to GLOBAL for every whisper it receives. */

#include <zyre.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
s_print_frames (zmsg_t *msg)
{
    zframe_t *frame = zmsg_first (msg);
    int first = 1;
    while (frame) {
        char *text = zframe_strdup (frame);
        printf ("%s%s", first ? "" : "|", text);
        free (text);
        first = 0;
        frame = zmsg_next (msg);
    }
}

int
main (int argc, char *argv [])
{
    if (argc < 4) {
        fprintf (stderr, "usage: zyre_c_peer port name ms\n");
        return 2;
    }
    setvbuf (stdout, NULL, _IOLBF, 0);
    zyre_t *node = zyre_new (argv [2]);
    if (strncmp (argv [1], "tcp://", 6) == 0)
        zyre_set_endpoint (node, "%s", argv [1]);
    else
        zyre_set_port (node, atoi (argv [1]));
    zyre_set_interval (node, 100);
    zyre_set_evasive_timeout (node, 500);
    zyre_set_expired_timeout (node, 1500);
    zyre_set_header (node, "X-LANG", "C");
    if (zyre_start (node)) {
        fprintf (stderr, "zyre_start failed\n");
        return 1;
    }
    zyre_join (node, "GLOBAL");
    printf ("READY %s\n", zyre_uuid (node));

    zpoller_t *poller = zpoller_new (zyre_socket (node), NULL);
    int64_t end = zclock_mono () + atoi (argv [3]);
    while (zclock_mono () < end) {
        void *which = zpoller_wait (poller, 50);
        if (!which)
            continue;
        zyre_event_t *event = zyre_event_new (node);
        if (!event)
            break;
        const char *type = zyre_event_type (event);
        if (streq (type, "ENTER")) {
            const char *lang = zyre_event_header (event, "X-LANG");
            printf ("ENTER %s %s %s\n", zyre_event_peer_uuid (event),
                    zyre_event_peer_name (event), lang ? lang : "-");
            zmsg_t *msg = zmsg_new ();
            zmsg_addstr (msg, "hello");
            zmsg_addstr (msg, "from C");
            zyre_whisper (node, zyre_event_peer_uuid (event), &msg);
        }
        else
        if (streq (type, "WHISPER")) {
            zmsg_t *content = zyre_event_get_msg (event);
            printf ("WHISPER %s ", zyre_event_peer_uuid (event));
            s_print_frames (content);
            printf ("\n");
            zmsg_pushstr (content, "echo");
            zyre_shout (node, "GLOBAL", &content);
        }
        else
        if (streq (type, "SHOUT")) {
            zmsg_t *content = zyre_event_get_msg (event);
            printf ("SHOUT %s %s ", zyre_event_peer_uuid (event),
                    zyre_event_group (event));
            s_print_frames (content);
            printf ("\n");
            zmsg_destroy (&content);
        }
        else
        if (streq (type, "JOIN") || streq (type, "LEAVE"))
            printf ("%s %s %s\n", type, zyre_event_peer_uuid (event),
                    zyre_event_group (event));
        else
            printf ("%s %s\n", type,
                    zyre_event_peer_uuid (event) ? zyre_event_peer_uuid (event) : "-");
        zyre_event_destroy (&event);
    }
    zpoller_destroy (&poller);
    zyre_stop (node);
    zyre_destroy (&node);
    printf ("DONE\n");
    return 0;
}
