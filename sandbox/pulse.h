/*
 * The sandbox's PulseAudio socket, $XDG_RUNTIME_DIR/pulse/native inside.
 *
 * The sandbox's init listens on it before the command starts, and on the
 * first connection starts pipewire-pulse as its own child, handing it the
 * listening socket as systemd's socket activation does (LISTEN_FDS). So
 * the server runs inside the sandbox, with the app's uid, namespaces,
 * seccomp filter and no_new_privs (it inherits the init's confinement, as
 * the command does), and is a client of the sandbox's own restricted
 * pipewire-0: through it a PulseAudio client reaches exactly what the app
 * itself could. A run that never plays sound never starts it. It ends
 * with the sandbox, as everything inside does.
 *
 * Its configuration is crate-wl's, not the system's or the user's: the
 * modules a PulseAudio server needs to be a PipeWire client, and
 * module-protocol-pulse on the socket; no realtime module, no D-Bus, no
 * module-always-sink (a sink the sandbox made would be destroyed).
 */
#ifndef CW_PULSE_H
#define CW_PULSE_H

#include <sys/types.h>
#include "sandbox.h"

/* The configuration pipewire-pulse runs with (-c CW_PULSE_CONFIG). */
extern const char cw_pulse_config[];
/* Writes it as a new read-only file at path (the instance's directory,
 * outside the sandbox), for cw_plan_add_pulse to bind. */
bool cw_pulse_write_config(const char *path, char *err, size_t errlen);

/*
 * Inside the init, once the mounts are done: makes $XDG_RUNTIME_DIR/pulse
 * and listens on native in it. The socket (close-on-exec, non-blocking), or
 * -1 with an "error" line on status_fd: the sandbox runs without it.
 */
int cw_pulse_listen(const struct cw_plan *plan, int status_fd);

/*
 * Forks pipewire-pulse with the listening socket as fd 3 (LISTEN_FDS=1,
 * LISTEN_PID its pid), reading CW_PULSE_CONFIG. Its pid, or -1.
 * An exec that fails says so on status_fd.
 */
pid_t cw_pulse_start(const struct cw_plan *plan, int listen_fd,
	int status_fd);

#endif
