// Emscripten JS library for the deno-zmq WebAssembly build of libzmq.
// The build has no file system (-sFILESYSTEM=0): the few file syscalls
// libzmq's ipc code references fail at once instead of pulling in
// emscripten's FS emulation. Sockets are in library_net.jslib.
var LibraryDenoZmqStubs = {
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
  // zmq_poll() polls the fds of its sockets (in-memory signalers) and then
  // reads ZMQ_EVENTS of every socket anyway: report nothing here.
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
