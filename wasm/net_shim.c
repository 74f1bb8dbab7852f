/*
 * libc functions the WebAssembly build of libzmq gets from deno-zmq instead
 * of emscripten (linked by scripts/build_wasm.ts).
 *
 * setsockopt: emscripten's libc answers every option with ENOPROTOOPT, which
 * libzmq asserts on (tune_tcp_socket). The host runtime's sockets already
 * have what libzmq asks for (TCP_NODELAY is set by wasm/net/host_*.ts;
 * SO_REUSEADDR is the runtimes' default), and buffer sizes, keepalive
 * tuning and TOS cannot be set through them: accept and ignore.
 */
#include <sys/socket.h>

int setsockopt (int fd, int level, int name, const void *value, socklen_t size)
{
    (void) fd;
    (void) level;
    (void) name;
    (void) value;
    (void) size;
    return 0;
}
