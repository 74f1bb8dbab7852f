// Emscripten JS library for the deno-zmq WebAssembly build of libzmq.
// The build is inproc-only (-sFILESYSTEM=0, no sockets), so the socket
// syscalls referenced by the tcp/ipc/udp code fail at once instead of
// pulling in emscripten's SOCKFS/FS emulation.
var LibraryDenoZmqStubs = {
  __syscall_socket__deps: [],
  __syscall_socket: function () {
    return -{{{ cDefine("EAFNOSUPPORT") }}};
  },
  __syscall_socketpair__deps: [],
  __syscall_socketpair: function () {
    return -{{{ cDefine("EAFNOSUPPORT") }}};
  },
  __syscall_getsockname__deps: [],
  __syscall_getsockname: function () {
    return -{{{ cDefine("EBADF") }}};
  },
  __syscall_getpeername__deps: [],
  __syscall_getpeername: function () {
    return -{{{ cDefine("EBADF") }}};
  },
  __syscall_connect__deps: [],
  __syscall_connect: function () {
    return -{{{ cDefine("EBADF") }}};
  },
  __syscall_shutdown__deps: [],
  __syscall_shutdown: function () {
    return -{{{ cDefine("EBADF") }}};
  },
  __syscall_accept4__deps: [],
  __syscall_accept4: function () {
    return -{{{ cDefine("EBADF") }}};
  },
  __syscall_bind__deps: [],
  __syscall_bind: function () {
    return -{{{ cDefine("EBADF") }}};
  },
  __syscall_listen__deps: [],
  __syscall_listen: function () {
    return -{{{ cDefine("EBADF") }}};
  },
  __syscall_recvfrom__deps: [],
  __syscall_recvfrom: function () {
    return -{{{ cDefine("EBADF") }}};
  },
  __syscall_sendto__deps: [],
  __syscall_sendto: function () {
    return -{{{ cDefine("EBADF") }}};
  },
  __syscall_getsockopt__deps: [],
  __syscall_getsockopt: function () {
    return -{{{ cDefine("EBADF") }}};
  },
  __syscall_setsockopt__deps: [],
  __syscall_setsockopt: function () {
    return -{{{ cDefine("EBADF") }}};
  },
  __syscall_sendmsg__deps: [],
  __syscall_sendmsg: function () {
    return -{{{ cDefine("EBADF") }}};
  },
  __syscall_recvmsg__deps: [],
  __syscall_recvmsg: function () {
    return -{{{ cDefine("EBADF") }}};
  },
  __syscall_mkdir__deps: [],
  __syscall_mkdir: function () {
    return -{{{ cDefine("ENOSYS") }}};
  },
  __syscall_rmdir__deps: [],
  __syscall_rmdir: function () {
    return -{{{ cDefine("ENOSYS") }}};
  },
  __syscall_unlink__deps: [],
  __syscall_unlink: function () {
    return -{{{ cDefine("ENOSYS") }}};
  },
  __syscall_stat64__deps: [],
  __syscall_stat64: function () {
    return -{{{ cDefine("ENOENT") }}};
  },
  // No name resolution (EAI_NONAME).
  getaddrinfo__deps: [],
  getaddrinfo: function () {
    return -2;
  },
  getnameinfo__deps: [],
  getnameinfo: function () {
    return -2;
  },
  // No real file descriptors exist: nothing is ever ready.
  __syscall_poll__deps: [],
  __syscall_poll: function (fds, nfds) {
    for (var i = 0; i < nfds; i++) {
      var pollfd = fds + {{{ C_STRUCTS.pollfd.__size__ }}} * i;
      {{{ makeSetValue("pollfd", C_STRUCTS.pollfd.revents, 0, "i16") }}};
    }
    return 0;
  },
};
mergeInto(LibraryManager.library, LibraryDenoZmqStubs);
