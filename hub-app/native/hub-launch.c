/*
 * hub-launch: starts a local sandbox, or enters a running one, for the Hub's local orchestrator in
 * one process, where util-linux needed five (sh for the cgroup join, prlimit, nsenter, setpriv, env):
 * each exec of those cost about a millisecond of a run that the Hub aims to keep within twice a bare
 * nsenter (hub-app/bench/floor.ts). The Hub builds it from this file with the host's C compiler
 * (hub-app/src/orchestrator/local/launcher.ts); it decides nothing, it does what its arguments say.
 *
 *   hub-launch start [COMMON] [--cgroup-make=DIR...] [--cgroup-write=FILE=VALUE...]
 *                    [--cgroup-write-if-present=FILE=VALUE...] [--host-uid=N] -- PROGRAM [ARG...]
 *     makes the cgroup folders (in order; one that exists is kept) and writes their limit files (the
 *     last '=' separates the value; -if-present skips a file the kernel does not have), joins the
 *     cgroups, sets the rlimits, drops to host uid/gid N with no supplementary groups (as setpriv
 *     --reuid --regid --clear-groups), and execs PROGRAM (an absolute path) with this process's
 *     environment: the sandbox's bwrap. The cgroup work is done here, not by the Hub, so that none of
 *     its syscalls runs on the Hub's event loop.
 *
 *   hub-launch enter [COMMON] --target=PID --start-time=TICKS --uid=N --gid=N --cwd=DIR
 *                    [--env=NAME=VALUE...] -- PROGRAM [ARG...]
 *     joins the cgroups, sets the rlimits, enters every namespace of PID (when it is still the process
 *     that started at TICKS), forks into its pid namespace, becomes uid/gid N there with no
 *     capabilities, an empty bounding set and no_new_privs, changes to DIR as that user, and execs
 *     PROGRAM found along the new PATH with exactly the --env variables (as env -i --chdir).
 *
 *   hub-launch seccomp-filter
 *     writes the sandbox's seccomp filter (below) to stdout, as bwrap --seccomp reads it.
 *
 *   hub-launch spawner
 *     the Hub's spawn helper: starts processes on request and reports their output and exits (the
 *     frames are described above spawner(), below).
 *
 *   COMMON: --cgroup=FILE (a cgroup.procs to join, repeatable), --nproc=N (RLIMIT_NPROC),
 *           --data=BYTES (RLIMIT_DATA), --fsize=BYTES (RLIMIT_FSIZE), --seccomp (the sandbox's
 *           system call filter, below: start hands it to bwrap as --seccomp FD, enter installs it
 *           right before its exec)
 *
 * Exit status: the command's; 125 when hub-launch itself failed (it says why on stderr), 126 when
 * PROGRAM cannot be executed, 127 when it is not found (the convention of env(1) and nsenter(1)).
 * A command killed by a signal kills hub-launch with the same signal.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define FAILED 125

extern char **environ;

struct options {
  const char **cgroups; /* as many as argc allows */
  int cgroup_count;
  const char **makes; /* folders to make, in order */
  int make_count;
  char **writes; /* FILE=VALUE */
  int write_count;
  int *write_optional;
  const char *nproc;
  const char *fsize;
  int seccomp;
  const char *data;
  const char *host_uid;
  const char *target;
  const char *start_time;
  const char *uid;
  const char *gid;
  const char *cwd;
  char **env; /* as many as argc allows, and the NULL that ends them */
  int env_count;
  char **command;
};

static void fail(const char *format, ...) {
  va_list args;
  fputs("hub-launch: ", stderr);
  va_start(args, format);
  vfprintf(stderr, format, args);
  va_end(args);
  fputc('\n', stderr);
  exit(FAILED);
}

static void fail_errno(const char *what, const char *detail) {
  fail("%s %s: %s", what, detail, strerror(errno));
}

/* A decimal number the whole of `text`, at most `max`, or a failure naming the option. */
static unsigned long long bounded(const char *option, const char *text, unsigned long long max) {
  char *end = NULL;
  errno = 0;
  unsigned long long value = strtoull(text, &end, 10);
  /* strtoull would also take leading blanks, a sign, and wrap a negative number around. */
  if (text[0] < '0' || text[0] > '9' || errno != 0 || *end != '\0' || value > max)
    fail("--%s takes a decimal number up to %llu, got '%s'", option, max, text);
  return value;
}

static unsigned long long number(const char *option, const char *text) {
  return bounded(option, text, ULLONG_MAX);
}

/* (uid_t)-1 means "unchanged" to setresuid(2): never a uid to become. */
static unsigned long long id_number(const char *option, const char *text) {
  return bounded(option, text, 0xfffffffeULL);
}

/* "--name=value": the value when `arg` is that option, else NULL. */
static const char *value_of(const char *arg, const char *name) {
  size_t length = strlen(name);
  if (strncmp(arg, "--", 2) != 0 || strncmp(arg + 2, name, length) != 0 || arg[2 + length] != '=')
    return NULL;
  return arg + 3 + length;
}

static void parse(int argc, char **argv, struct options *options) {
  options->cgroups = calloc((size_t)argc, sizeof *options->cgroups);
  options->makes = calloc((size_t)argc, sizeof *options->makes);
  options->writes = calloc((size_t)argc, sizeof *options->writes);
  options->write_optional = calloc((size_t)argc, sizeof *options->write_optional);
  options->env = calloc((size_t)argc + 1, sizeof *options->env);
  if (options->cgroups == NULL || options->makes == NULL || options->writes == NULL ||
      options->write_optional == NULL || options->env == NULL)
    fail("out of memory");
  for (int i = 2; i < argc; i++) {
    const char *arg = argv[i], *value;
    if (strcmp(arg, "--") == 0) {
      if (i + 1 >= argc) fail("no program after --");
      options->command = argv + i + 1;
      return;
    }
    if ((value = value_of(arg, "cgroup")) != NULL) {
      options->cgroups[options->cgroup_count++] = value;
    } else if ((value = value_of(arg, "cgroup-make")) != NULL) {
      options->makes[options->make_count++] = value;
    } else if ((value = value_of(arg, "cgroup-write")) != NULL ||
               (value = value_of(arg, "cgroup-write-if-present")) != NULL) {
      const char *equals = strrchr(value, '=');
      if (equals == NULL || equals == value) fail("%s takes FILE=VALUE", arg);
      options->write_optional[options->write_count] = strncmp(arg, "--cgroup-write-if-present=", 26) == 0;
      options->writes[options->write_count++] = (char *)value;
    } else if ((value = value_of(arg, "env")) != NULL) {
      if (strchr(value, '=') == NULL) fail("--env takes NAME=VALUE, got '%s'", value);
      options->env[options->env_count++] = (char *)value;
    } else if ((value = value_of(arg, "nproc")) != NULL) options->nproc = value;
    else if ((value = value_of(arg, "data")) != NULL) options->data = value;
    else if ((value = value_of(arg, "fsize")) != NULL) options->fsize = value;
    else if (strcmp(arg, "--seccomp") == 0) options->seccomp = 1;
    else if ((value = value_of(arg, "host-uid")) != NULL) options->host_uid = value;
    else if ((value = value_of(arg, "target")) != NULL) options->target = value;
    else if ((value = value_of(arg, "start-time")) != NULL) options->start_time = value;
    else if ((value = value_of(arg, "uid")) != NULL) options->uid = value;
    else if ((value = value_of(arg, "gid")) != NULL) options->gid = value;
    else if ((value = value_of(arg, "cwd")) != NULL) options->cwd = value;
    else fail("unknown option '%s'", arg);
  }
  fail("no -- before the program");
}

/* A cgroup is a folder of the cgroup filesystem; its limits are files in it (cgroups(7), cgroup-v2.rst). */
static void make_cgroups(const struct options *options) {
  for (int i = 0; i < options->make_count; i++)
    if (mkdir(options->makes[i], 0755) != 0 && errno != EEXIST) fail_errno("cannot make the cgroup", options->makes[i]);
  for (int i = 0; i < options->write_count; i++) {
    char *file = options->writes[i];
    char *equals = strrchr(file, '=');
    *equals = '\0';
    const char *value = equals + 1;
    int fd = open(file, O_WRONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && options->write_optional[i]) continue;
    if (fd < 0) fail_errno("cannot open", file);
    ssize_t length = (ssize_t)strlen(value);
    if (write(fd, value, (size_t)length) != length) fail_errno("cannot write the limit", file);
    close(fd);
  }
}

/*
 * cgroup-v2.rst "Processes" and cgroups(7): a process joins a cgroup by writing its pid to cgroup.procs.
 * That write takes the kernel's global cgroup_threadgroup_rwsem for writing, and after an idle spell
 * the write lock waits out an RCU grace period: 5 ms and more per join here (Linux 6.18, cgroup v1),
 * most of what a create cost beyond bwrap. A v1 hierarchy also has a tasks file that moves one
 * thread, and a thread writing "0" (itself) there skips that lock (kernel/cgroup/cgroup.c,
 * cgroup_procs_write_start: `current` cannot exit or exec under the writer): 0.2 ms. This process
 * is single-threaded, so moving its thread moves all of it; cgroup v2 has no tasks file (its
 * cgroup.threads moves threads only inside a threaded subtree), so there the pid goes to cgroup.procs.
 */
static void join_cgroup(const char *procs_file) {
  const char *slash = strrchr(procs_file, '/');
  char tasks_file[PATH_MAX];
  if (slash != NULL && snprintf(tasks_file, sizeof tasks_file, "%.*s/tasks", (int)(slash - procs_file), procs_file) <
                           (int)sizeof tasks_file) {
    int fd = open(tasks_file, O_WRONLY | O_CLOEXEC);
    if (fd >= 0) {
      if (write(fd, "0", 1) != 1) fail_errno("cannot join the cgroup of", tasks_file);
      close(fd);
      return;
    }
    if (errno != ENOENT) fail_errno("cannot open", tasks_file);
  }
  char pid[24];
  int length = snprintf(pid, sizeof pid, "%d", (int)getpid());
  int fd = open(procs_file, O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail_errno("cannot open", procs_file);
  if (write(fd, pid, (size_t)length) != length) fail_errno("cannot join the cgroup of", procs_file);
  close(fd);
}

static void join_cgroups(const struct options *options) {
  for (int i = 0; i < options->cgroup_count; i++) join_cgroup(options->cgroups[i]);
}

static void set_limit(int resource, const char *option, const char *text) {
  if (text == NULL) return;
  rlim_t value = (rlim_t)number(option, text);
  struct rlimit limit = {value, value};
  if (setrlimit(resource, &limit) != 0) fail_errno("cannot set", option);
}

static void set_limits(const struct options *options) {
  set_limit(RLIMIT_NPROC, "nproc", options->nproc);
  /* RLIMIT_DATA, not RLIMIT_AS: V8 and the JVM reserve gigabytes of address space they never use. */
  set_limit(RLIMIT_DATA, "data", options->data);
  /* No file may outgrow the sandbox's scratch space (setrlimit(2): past it a write fails, after SIGXFSZ). */
  set_limit(RLIMIT_FSIZE, "fsize", options->fsize);
}

/* Root's supplementary groups (gid 0 among them) would go along into the sandbox, unmapped but effective. */
static void clear_groups(void) {
  if (geteuid() == 0 && setgroups(0, NULL) != 0) fail_errno("cannot clear", "the supplementary groups");
}

static void become(uid_t uid, gid_t gid) {
  if (setresgid(gid, gid, gid) != 0) fail_errno("cannot set", "the gid");
  if (setresuid(uid, uid, uid) != 0) fail_errno("cannot set", "the uid");
}

/*
 * The sandbox's system call filter: the calls an unprivileged process may still make that Docker's
 * default seccomp profile (and so Kubernetes' RuntimeDefault) refuses, the kernel keyring, BPF,
 * perf events, userfaultfd and io_uring among them, each a frequent start of a kernel exploit and
 * none needed by a student's code; the privileged ones too (mounts, modules, clocks, reboot), which
 * no capability inside allows anyway. Refused with EPERM, as Docker does; every other call is allowed.
 * A call of another ABI (i386 or x32 on x86-64) is refused whole: its numbers are not these.
 * seccomp(2), "Filters"; the list follows moby's profiles/seccomp/default.json.
 */
#if defined(__x86_64__)
#define SANDBOX_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_AUDIT_ARCH AUDIT_ARCH_AARCH64
#else
#error "hub-launch's seccomp filter is written for x86-64 and arm64"
#endif

/* Calls newer than some hosts' kernel headers are listed where those headers name them. */
static const int denied_calls[] = {
    __NR_acct, __NR_add_key, __NR_bpf, __NR_clock_adjtime, __NR_clock_settime, __NR_delete_module,
    __NR_finit_module, __NR_init_module, __NR_kexec_file_load, __NR_kexec_load, __NR_keyctl,
    __NR_lookup_dcookie, __NR_mount, __NR_name_to_handle_at, __NR_open_by_handle_at, __NR_perf_event_open,
    __NR_pivot_root, __NR_quotactl, __NR_reboot, __NR_request_key, __NR_settimeofday, __NR_swapoff,
    __NR_swapon, __NR_umount2, __NR_userfaultfd,
#ifdef __NR_io_uring_setup /* Linux 5.1 */
    __NR_io_uring_enter, __NR_io_uring_register, __NR_io_uring_setup,
#endif
#ifdef __NR_fsopen /* Linux 5.2: the new mount API */
    __NR_fsconfig, __NR_fsmount, __NR_fsopen, __NR_fspick, __NR_move_mount, __NR_open_tree,
#endif
#ifdef __NR_mount_setattr /* Linux 5.12 */
    __NR_mount_setattr,
#endif
#ifdef __NR_iopl
    __NR_iopl, __NR_ioperm,
#endif
#ifdef __NR_sysfs
    __NR_sysfs, __NR_ustat, __NR_uselib,
#endif
};
#define DENIED_COUNT (sizeof denied_calls / sizeof denied_calls[0])
/* Load the arch, check it, load the number, (x32 check), one test per denied call, allow, deny. */
#define FILTER_LENGTH (DENIED_COUNT + 7)

static struct sock_fprog sandbox_filter(void) {
  static struct sock_filter program[FILTER_LENGTH];
  size_t n = 0;
  const size_t deny = FILTER_LENGTH - 1;
  program[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
  program[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_AUDIT_ARCH, 1, 0);
  program[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
  program[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
#if defined(__x86_64__)
  /* x32 calls carry this bit (asm/unistd.h): they reach the same kernel code under other numbers. */
  program[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000U, (uint8_t)(deny - n - 1), 0);
  n++;
#else
  program[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA, 0, 0, 0);
#endif
  for (size_t i = 0; i < DENIED_COUNT; i++, n++)
    program[n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)denied_calls[i],
                                              (uint8_t)(deny - n - 1), 0);
  program[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  program[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
  return (struct sock_fprog){.len = (unsigned short)n, .filter = program};
}

/* bwrap --seccomp FD reads the program's instructions from FD and installs them before its exec (bwrap(1)). */
static int filter_fd(void) {
  struct sock_fprog filter = sandbox_filter();
  int fd = memfd_create("hub-launch-seccomp", 0); /* no CLOEXEC: bwrap inherits it */
  if (fd < 0) fail_errno("cannot make", "the seccomp filter's memfd");
  size_t length = filter.len * sizeof *filter.filter;
  if (write(fd, filter.filter, length) != (ssize_t)length || lseek(fd, 0, SEEK_SET) != 0)
    fail_errno("cannot write", "the seccomp filter");
  return fd;
}

/* hub-launch seccomp-filter: the program as bwrap --seccomp reads it, for the benchmark's hand-made sandboxes. */
static int print_filter(void) {
  struct sock_fprog filter = sandbox_filter();
  size_t length = filter.len * sizeof *filter.filter;
  if (write(STDOUT_FILENO, filter.filter, length) != (ssize_t)length) fail_errno("cannot write", "the filter");
  return 0;
}

/* [PROGRAM, --seccomp, FD, ARG...]: bwrap takes its options before the sandbox's command. */
static char **with_filter(char **command) {
  size_t count = 0;
  while (command[count] != NULL) count++;
  char **argv = calloc(count + 3, sizeof *argv);
  static char fd_text[16];
  if (argv == NULL) fail("out of memory");
  snprintf(fd_text, sizeof fd_text, "%d", filter_fd());
  argv[0] = command[0];
  argv[1] = "--seccomp";
  argv[2] = fd_text;
  for (size_t i = 1; i <= count; i++) argv[i + 2] = command[i];
  return argv;
}

static int start(const struct options *options) {
  make_cgroups(options);
  join_cgroups(options);
  set_limits(options);
  if (options->host_uid != NULL) {
    unsigned long long id = id_number("host-uid", options->host_uid);
    clear_groups();
    become((uid_t)id, (gid_t)id);
  }
  if (options->command[0][0] != '/') fail("start takes an absolute program path, got '%s'", options->command[0]);
  char **command = options->seccomp ? with_filter(options->command) : options->command;
  execv(command[0], command);
  fail_errno("cannot execute", options->command[0]);
  return FAILED;
}

/* Field 22 of /proc/PID/stat (starttime; proc(5)), counted after the command name's last ')'. */
static int started_at(const char *pid, const char *expected) {
  char path[64], stat[1024];
  snprintf(path, sizeof path, "/proc/%s/stat", pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t length = read(fd, stat, sizeof stat - 1);
  close(fd);
  if (length <= 0) return 0;
  stat[length] = '\0';
  char *field = strrchr(stat, ')');
  if (field == NULL) return 0;
  /* After ") ": field 3 (state) ... field 22 (starttime). */
  for (int n = 2; n < 22 && field != NULL; n++) field = strchr(field + 1, ' ');
  if (field == NULL) return 0;
  field++;
  size_t expected_length = strlen(expected);
  return strncmp(field, expected, expected_length) == 0 &&
         (field[expected_length] == ' ' || field[expected_length] == '\0');
}

struct namespace {
  const char *name;
  int type;
  int fd;
};

/* setns(2): after the user namespace the others are owned by it; before it a root caller may enter any. */
static void enter_namespaces(const char *pid, const char *start_time) {
  struct namespace namespaces[] = {
      {"ipc", CLONE_NEWIPC, -1}, {"uts", CLONE_NEWUTS, -1}, {"net", CLONE_NEWNET, -1},
      {"pid", CLONE_NEWPID, -1}, {"mnt", CLONE_NEWNS, -1},  {"user", CLONE_NEWUSER, -1},
  };
  const int count = sizeof namespaces / sizeof namespaces[0];
  for (int i = 0; i < count; i++) {
    char path[64], own[64];
    struct stat target, mine;
    snprintf(path, sizeof path, "/proc/%s/ns/%s", pid, namespaces[i].name);
    snprintf(own, sizeof own, "/proc/self/ns/%s", namespaces[i].name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail_errno("cannot open", path);
    /* A namespace the sandbox shares with us (the host's network): nothing to enter. */
    if (fstat(fd, &target) == 0 && stat(own, &mine) == 0 && target.st_ino == mine.st_ino &&
        target.st_dev == mine.st_dev) {
      close(fd);
      continue;
    }
    namespaces[i].fd = fd;
  }
  /* The pid may have been reused between the Hub's check and the open: the fds must be the sandbox's. */
  if (!started_at(pid, start_time)) fail("the sandbox's init (pid %s) is gone", pid);
  /* Pass 0 enters what this caller may enter now (all of them as root), then the user namespace;
   * pass 1 what needed its capabilities there (an unprivileged Hub owning the namespace). */
  for (int pass = 0; pass < 2; pass++) {
    for (int i = 0; i < count; i++) {
      if (namespaces[i].fd < 0) continue;
      if (namespaces[i].type == CLONE_NEWUSER && pass == 1) continue;
      if (setns(namespaces[i].fd, namespaces[i].type) != 0) {
        if (pass == 1 || namespaces[i].type == CLONE_NEWUSER) fail_errno("cannot enter the namespace", namespaces[i].name);
        continue;
      }
      close(namespaces[i].fd);
      namespaces[i].fd = -1;
    }
  }
}

/* A process entering a pid namespace stays outside it; its children are inside (setns(2)). */
static void wait_for(pid_t child) {
  int status;
  while (waitpid(child, &status, 0) < 0)
    if (errno != EINTR) fail_errno("cannot wait for", "the command");
  if (WIFEXITED(status)) exit(WEXITSTATUS(status));
  int signal_number = WTERMSIG(status);
  signal(signal_number, SIG_DFL);
  sigset_t unblock;
  sigemptyset(&unblock);
  sigaddset(&unblock, signal_number);
  sigprocmask(SIG_UNBLOCK, &unblock, NULL);
  kill(getpid(), signal_number);
  exit(128 + signal_number);
}

/* capabilities(7): no capability in any set, and none that an exec could gain back. */
static void drop_capabilities(void) {
  for (int cap = 0; cap <= 63; cap++)
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
      fail_errno("cannot drop", "the bounding set");
}

static void clear_capability_sets(void) {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capset, &header, data) != 0) fail_errno("cannot clear", "the capabilities");
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    fail_errno("cannot clear", "the ambient capabilities");
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail_errno("cannot set", "no_new_privs");
}

static int enter(struct options *options) {
  if (options->make_count > 0 || options->write_count > 0 || options->host_uid != NULL)
    fail("enter takes no --cgroup-make, --cgroup-write or --host-uid (start does)");
  if (options->target == NULL || options->start_time == NULL || options->uid == NULL ||
      options->gid == NULL || options->cwd == NULL)
    fail("enter takes --target, --start-time, --uid, --gid and --cwd");
  bounded("target", options->target, INT_MAX);
  number("start-time", options->start_time);
  uid_t uid = (uid_t)id_number("uid", options->uid);
  gid_t gid = (gid_t)id_number("gid", options->gid);
  join_cgroups(options);
  set_limits(options);
  clear_groups();
  enter_namespaces(options->target, options->start_time);
  pid_t child = fork();
  if (child < 0) fail_errno("cannot fork", "into the sandbox");
  if (child > 0) wait_for(child);

  drop_capabilities();
  become(uid, gid);
  clear_capability_sets();
  /* After becoming the user: a folder that user may not enter is refused, as inside the sandbox. */
  if (chdir(options->cwd) != 0) fail_errno("cannot change directory to", options->cwd);
  options->env[options->env_count] = NULL;
  environ = options->env; /* execvp searches the PATH of the new environment */
  if (options->seccomp) {
    /* Last: everything above may use what the filter refuses. no_new_privs is set (seccomp(2)). */
    struct sock_fprog filter = sandbox_filter();
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &filter, 0, 0) != 0) fail_errno("cannot install", "the seccomp filter");
  }
  execvp(options->command[0], options->command);
  int saved = errno;
  fprintf(stderr, "hub-launch: %s: %s\n", options->command[0], strerror(saved));
  return saved == ENOENT ? 127 : 126;
}


/*
 * hub-launch spawner: the Hub's spawn helper (hub-app/src/orchestrator/local/spawn-helper.ts). It reads
 * requests on stdin and writes events on stdout, as frames of a u32 length (of what follows, host byte
 * order) then a u8 type and a u32 request id:
 *   in  1 spawn: u32 max output bytes per stream, u8 fd 3 wanted, u32 argc, u32 envc, argc then envc
 *        NUL-terminated strings, a NUL-terminated stderr file ("" for a pipe), u32 stdin length, stdin
 *   in  2 close: u8 stream (0 stdout, 1 stderr, 2 fd 3): stop reading it (its writer gets SIGPIPE)
 *   out 1 spawned: i32 pid   2 data: u8 stream, bytes   3 end: u8 stream
 *   out 4 exit: i32 code (-1 when killed), i32 signal   5 error: errno name NUL message
 * Each process is spawned in a session of its own (posix_spawn with POSIX_SPAWN_SETSID, a vfork: a few
 * tens of microseconds, where a Node process's fork cost ~1 ms of CPU, docs/measurements.md), with
 * default signal dispositions and an empty signal mask. It ends when stdin does (the Hub has gone);
 * what it started runs on.
 */
#include <poll.h>
#include <spawn.h>
#include <sys/signalfd.h>
#include <stdint.h>

#define SPAWN_STREAMS 3
#define READ_CHUNK 65536

struct spawned {
  uint32_t id;
  pid_t pid; /* 0 once its exit is reported */
  int out[SPAWN_STREAMS]; /* our read ends, -1 when closed */
  uint64_t read_bytes[SPAWN_STREAMS];
  uint32_t max_output;
  int in;             /* our write end of its stdin, -1 when closed */
  char *input;        /* what is left to write */
  size_t input_left;
  char *input_block;  /* to free */
  struct spawned *next;
};

static struct spawned *spawned_list;

static void write_all(const void *data, size_t length) {
  const char *at = data;
  while (length > 0) {
    ssize_t n = write(STDOUT_FILENO, at, length);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) exit(0); /* the Hub has gone */
    at += n;
    length -= (size_t)n;
  }
}

static void send_event(uint8_t type, uint32_t id, const void *body, size_t body_length,
                       const void *more, size_t more_length) {
  char head[9];
  uint32_t length = (uint32_t)(5 + body_length + more_length);
  memcpy(head, &length, 4);
  head[4] = (char)type;
  memcpy(head + 5, &id, 4);
  write_all(head, 9);
  if (body_length > 0) write_all(body, body_length);
  if (more_length > 0) write_all(more, more_length);
}

static void send_error(uint32_t id, int error, const char *what) {
  char text[512];
  const char *name = strerrorname_np(error);
  int n = snprintf(text, sizeof text, "%s%c%s: %s", name ? name : "EIO", 0, what, strerror(error));
  send_event(5, id, text, (size_t)n + 1, NULL, 0);
}

static void close_stream(struct spawned *child, int stream) {
  if (child->out[stream] < 0) return;
  close(child->out[stream]);
  child->out[stream] = -1;
}

/* A request's fields, read in order from its body; 0 when the body is shorter than they say. */
struct reader {
  const char *at, *end;
};

static int read_u32(struct reader *r, uint32_t *value) {
  if (r->end - r->at < 4) return 0;
  memcpy(value, r->at, 4);
  r->at += 4;
  return 1;
}

static const char *read_string(struct reader *r) {
  const char *start = r->at;
  const char *nul = memchr(start, 0, (size_t)(r->end - start));
  if (nul == NULL) return NULL;
  r->at = nul + 1;
  return start;
}

static void spawn_request(uint32_t id, struct reader *r, char *block) {
  uint32_t max_output, argc, envc, input_length;
  if (!read_u32(r, &max_output) || r->at >= r->end) goto malformed;
  int want_info = *r->at++ != 0;
  if (!read_u32(r, &argc) || !read_u32(r, &envc) || argc == 0 || argc > 100000 || envc > 100000)
    goto malformed;
  char **args = calloc((size_t)argc + 1, sizeof *args);
  char **env = calloc((size_t)envc + 1, sizeof *env);
  if (args == NULL || env == NULL) fail("out of memory");
  for (uint32_t i = 0; i < argc; i++)
    if ((args[i] = (char *)read_string(r)) == NULL) goto malformed_free;
  for (uint32_t i = 0; i < envc; i++)
    if ((env[i] = (char *)read_string(r)) == NULL) goto malformed_free;
  const char *stderr_file = read_string(r);
  if (stderr_file == NULL || !read_u32(r, &input_length) || (size_t)(r->end - r->at) != input_length)
    goto malformed_free;

  int pipes[SPAWN_STREAMS + 1][2]; /* stdin, stdout, stderr, fd 3 */
  int made = 0, file = -1, error = 0;
  for (; made < SPAWN_STREAMS + 1; made++) {
    pipes[made][0] = pipes[made][1] = -1;
    if ((made == 2 && *stderr_file != 0) || (made == 3 && !want_info)) continue;
    if (pipe2(pipes[made], O_CLOEXEC) != 0) {
      error = errno;
      break;
    }
  }
  if (error == 0 && *stderr_file != 0) {
    file = open(stderr_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (file < 0) error = errno;
  }
  pid_t pid = 0;
  if (error == 0) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipes[0][0], 0);
    posix_spawn_file_actions_adddup2(&actions, pipes[1][1], 1);
    posix_spawn_file_actions_adddup2(&actions, file >= 0 ? file : pipes[2][1], 2);
    if (want_info) posix_spawn_file_actions_adddup2(&actions, pipes[3][1], 3);
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes,
                             POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    error = strchr(args[0], '/') != NULL ? posix_spawn(&pid, args[0], &actions, &attributes, args, env)
                                         : posix_spawnp(&pid, args[0], &actions, &attributes, args, env);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
  }
  if (file >= 0) close(file);
  /* The child's ends are its own now (or nobody's): ours are the parent ends. */
  for (int i = 0; i < made; i++) {
    int child_end = i == 0 ? 0 : 1;
    if (pipes[i][child_end] >= 0) close(pipes[i][child_end]);
    if (error != 0 && pipes[i][1 - child_end] >= 0) close(pipes[i][1 - child_end]);
  }
  if (error != 0) {
    send_error(id, error, args[0]);
    free(args);
    free(env);
    free(block);
    return;
  }
  struct spawned *child = calloc(1, sizeof *child);
  if (child == NULL) fail("out of memory");
  child->id = id;
  child->pid = pid;
  child->max_output = max_output;
  for (int i = 0; i < SPAWN_STREAMS; i++) {
    child->out[i] = pipes[i + 1][0];
    if (child->out[i] >= 0) fcntl(child->out[i], F_SETFL, O_NONBLOCK);
  }
  child->in = pipes[0][1];
  fcntl(child->in, F_SETFL, O_NONBLOCK);
  child->input = (char *)r->at;
  child->input_left = input_length;
  child->input_block = block;
  if (input_length == 0) {
    close(child->in);
    child->in = -1;
  }
  child->next = spawned_list;
  spawned_list = child;
  int32_t reported = pid;
  send_event(1, id, &reported, 4, NULL, 0);
  free(args);
  free(env);
  if (child->in < 0) {
    free(block);
    child->input_block = NULL;
  }
  return;
malformed_free:;
malformed:
  fail("malformed spawn request %u", id);
}

static void close_request(uint32_t id, struct reader *r) {
  if (r->at >= r->end) fail("malformed close request %u", id);
  int stream = *r->at;
  if (stream < 0 || stream >= SPAWN_STREAMS) fail("malformed close request %u", id);
  for (struct spawned *child = spawned_list; child != NULL; child = child->next)
    if (child->id == id) close_stream(child, stream);
}

/* Requests are read whole (a length, then that many bytes) in blocking reads: the Hub writes each at once. */
static int read_exactly(char *into, size_t length) {
  while (length > 0) {
    ssize_t n = read(STDIN_FILENO, into, length);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    into += n;
    length -= (size_t)n;
  }
  return 1;
}

static void request(void) {
  uint32_t length;
  if (!read_exactly((char *)&length, 4)) exit(0);
  if (length < 5) fail("malformed request of %u bytes", length);
  char *block = malloc(length);
  if (block == NULL) fail("out of memory for a request of %u bytes", length);
  if (!read_exactly(block, length)) exit(0);
  uint8_t type = (uint8_t)block[0];
  uint32_t id;
  memcpy(&id, block + 1, 4);
  struct reader r = {block + 5, block + length};
  if (type == 1) return spawn_request(id, &r, block); /* keeps the block while it writes stdin */
  if (type == 2) close_request(id, &r);
  else fail("unknown request type %u", type);
  free(block);
}

static void read_output(struct spawned *child, int stream) {
  char chunk[READ_CHUNK];
  ssize_t n = read(child->out[stream], chunk, sizeof chunk);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    close_stream(child, stream);
    uint8_t which = (uint8_t)stream;
    send_event(3, child->id, &which, 1, NULL, 0);
    return;
  }
  uint8_t which = (uint8_t)stream;
  send_event(2, child->id, &which, 1, chunk, (size_t)n);
  child->read_bytes[stream] += (uint64_t)n;
  if (child->read_bytes[stream] > child->max_output) close_stream(child, stream);
}

static void write_input(struct spawned *child) {
  ssize_t n = write(child->in, child->input, child->input_left);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n > 0) {
    child->input += n;
    child->input_left -= (size_t)n;
  }
  if (n < 0 || child->input_left == 0) { /* EPIPE: it stopped reading, as a Node stdin would see */
    close(child->in);
    child->in = -1;
    free(child->input_block);
    child->input_block = NULL;
  }
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (struct spawned *child = spawned_list; child != NULL; child = child->next) {
      if (child->pid != pid) continue;
      int32_t exit_info[2] = {WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                              WIFSIGNALED(status) ? WTERMSIG(status) : 0};
      send_event(4, child->id, exit_info, 8, NULL, 0);
      child->pid = 0;
    }
  }
}

/* Forgets a process once its exit is reported and our ends of its pipes are closed. */
static void forget_finished(void) {
  for (struct spawned **link = &spawned_list; *link != NULL;) {
    struct spawned *child = *link;
    int open_ends = child->in >= 0;
    for (int i = 0; i < SPAWN_STREAMS; i++) open_ends |= child->out[i] >= 0;
    if (child->pid == 0 && !open_ends) {
      *link = child->next;
      free(child);
    } else
      link = &child->next;
  }
}

static _Noreturn void spawner(void) {
  sigset_t child_signal;
  sigemptyset(&child_signal);
  sigaddset(&child_signal, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &child_signal, NULL) != 0) fail_errno("cannot block", "SIGCHLD");
  int exits = signalfd(-1, &child_signal, SFD_CLOEXEC | SFD_NONBLOCK);
  if (exits < 0) fail_errno("cannot make a signalfd for", "SIGCHLD");
  signal(SIGPIPE, SIG_IGN); /* a child's stdin closed early is an EPIPE here; children get the default back */
  struct pollfd *fds = NULL;
  struct spawned **owners = NULL;
  int *roles = NULL;
  size_t capacity = 0;
  for (;;) {
    size_t count = 0, needed = 2;
    for (struct spawned *child = spawned_list; child != NULL; child = child->next) needed += SPAWN_STREAMS + 1;
    if (needed > capacity) {
      capacity = needed * 2;
      fds = realloc(fds, capacity * sizeof *fds);
      owners = realloc(owners, capacity * sizeof *owners);
      roles = realloc(roles, capacity * sizeof *roles);
      if (fds == NULL || owners == NULL || roles == NULL) fail("out of memory");
    }
    fds[count] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
    owners[count] = NULL, roles[count++] = -1;
    fds[count] = (struct pollfd){.fd = exits, .events = POLLIN};
    owners[count] = NULL, roles[count++] = -2;
    for (struct spawned *child = spawned_list; child != NULL; child = child->next) {
      for (int i = 0; i < SPAWN_STREAMS; i++) {
        if (child->out[i] < 0) continue;
        fds[count] = (struct pollfd){.fd = child->out[i], .events = POLLIN};
        owners[count] = child, roles[count++] = i;
      }
      if (child->in >= 0) {
        fds[count] = (struct pollfd){.fd = child->in, .events = POLLOUT};
        owners[count] = child, roles[count++] = SPAWN_STREAMS;
      }
    }
    if (poll(fds, count, -1) < 0) {
      if (errno == EINTR) continue;
      fail_errno("poll failed in", "the spawner");
    }
    for (size_t i = 2; i < count; i++) {
      if (fds[i].revents == 0) continue;
      struct spawned *child = owners[i];
      if (roles[i] == SPAWN_STREAMS) {
        if (child->in >= 0) write_input(child);
      } else if (child->out[roles[i]] >= 0)
        read_output(child, roles[i]);
    }
    /* Exits after output read in this round, requests last: a close names streams read above. */
    if (fds[1].revents != 0) {
      struct signalfd_siginfo info;
      while (read(exits, &info, sizeof info) > 0) continue;
      reap();
    }
    if (fds[0].revents != 0) request();
    forget_finished();
  }
}

int main(int argc, char **argv) {
  static struct options options;
  if (argc < 2)
    fail("usage: hub-launch start|enter [options] -- program [args], hub-launch spawner, or hub-launch seccomp-filter");
  if (strcmp(argv[1], "spawner") == 0) spawner();
  if (strcmp(argv[1], "seccomp-filter") == 0) return print_filter();
  parse(argc, argv, &options);
  if (strcmp(argv[1], "start") == 0) return start(&options);
  if (strcmp(argv[1], "enter") == 0) return enter(&options);
  fail("unknown mode '%s' (start or enter)", argv[1]);
  return FAILED;
}
