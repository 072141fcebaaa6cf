// exec-kubelet: the kubelet's exec endpoint (/exec/{namespace}/{pod}/{container}) for kwok's fake
// nodes, served by the kubelet's own streaming code (k8s.io/kubelet/pkg/cri/streaming/remotecommand),
// running the command on this machine. kwok v0.8.0's exec loses exit codes (its wrapped error is not
// a utilexec.ExitError) and never closes the command's stdin, so `tar -x` would wait for ever.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	remotecommandconsts "k8s.io/apimachinery/pkg/util/remotecommand"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/client-go/tools/remotecommand"
	kubeletstreaming "k8s.io/kubelet/pkg/cri/streaming/remotecommand"
	utilexec "k8s.io/utils/exec"
)

// localExecutor runs one container's commands here, in their own process group, with the
// container's environment, optionally as another uid.
type localExecutor struct {
	credential *syscall.Credential
	env        []string
}

func (e localExecutor) ExecInContainer(ctx context.Context, _ string, _ types.UID, _ string, cmd []string, in io.Reader, out, errOut io.WriteCloser, _ bool, _ <-chan remotecommand.TerminalSize, _ time.Duration) error {
	if len(cmd) == 0 {
		return errors.New("no command")
	}
	command := exec.CommandContext(ctx, cmd[0], cmd[1:]...)
	command.Env = e.env
	// nil streams stay /dev/null; os/exec closes the command's stdin when `in` ends (the client's half-close).
	if in != nil {
		command.Stdin = in
	}
	if out != nil {
		command.Stdout = out
	}
	if errOut != nil {
		command.Stderr = errOut
	}
	command.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: e.credential}
	command.Cancel = func() error { return syscall.Kill(-command.Process.Pid, syscall.SIGKILL) }
	err := command.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		// What ServeExec turns into the NonZeroExitCode status a real kubelet sends.
		return &utilexec.ExitErrorWrapper{ExitError: exitErr}
	}
	return err
}

// runningContainer is the container's spec when it runs: a kubelet execs only into a running container.
func runningContainer(ctx context.Context, client kubernetes.Interface, namespace, pod, name string) (*corev1.Pod, *corev1.Container, error) {
	found, err := client.CoreV1().Pods(namespace).Get(ctx, pod, metav1.GetOptions{})
	if err != nil {
		return nil, nil, err
	}
	for _, status := range found.Status.ContainerStatuses {
		if status.Name != name || status.State.Running == nil {
			continue
		}
		for i := range found.Spec.Containers {
			if found.Spec.Containers[i].Name == name {
				return found, &found.Spec.Containers[i], nil
			}
		}
	}
	return nil, nil, fmt.Errorf("container not found (%q)", name)
}

// containerEnv is what an exec'd process inherits in a container: PATH and the spec's literal env.
func containerEnv(container *corev1.Container) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8"}
	for _, variable := range container.Env {
		if variable.ValueFrom == nil {
			env = append(env, variable.Name+"="+variable.Value)
		}
	}
	return env
}

// mountEmptyDirs makes the container's emptyDir mount points exist, as the kubelet's volume mounts
// would; there is no mount namespace here, so the path is the host's and a new one is the command uid's.
func mountEmptyDirs(pod *corev1.Pod, container *corev1.Container, credential *syscall.Credential) error {
	emptyDirs := map[string]bool{}
	for _, volume := range pod.Spec.Volumes {
		emptyDirs[volume.Name] = volume.EmptyDir != nil
	}
	for _, mount := range container.VolumeMounts {
		if !emptyDirs[mount.Name] {
			continue
		}
		if _, err := os.Stat(mount.MountPath); err == nil {
			continue
		}
		if err := os.Mkdir(mount.MountPath, 0o755); err != nil {
			return fmt.Errorf("volume %q at %s: %w", mount.Name, mount.MountPath, err)
		}
		if credential != nil {
			if err := os.Chown(mount.MountPath, int(credential.Uid), int(credential.Gid)); err != nil {
				return err
			}
		}
	}
	return nil
}

func execKubelet(args []string) error {
	flags := flag.NewFlagSet("exec-kubelet", flag.ContinueOnError)
	address := flags.String("address", "127.0.0.1:10250", "host:port to serve on")
	certFile := flags.String("tls-cert-file", "", "serving certificate")
	keyFile := flags.String("tls-private-key-file", "", "serving key")
	clientCA := flags.String("client-ca-file", "", "CA of the API server's kubelet client certificate")
	uid := flags.Int("run-as-user", -1, "uid for commands (-1: this process's)")
	gid := flags.Int("run-as-group", -1, "gid for commands")
	kubeconfig := flags.String("kubeconfig", "", "kubeconfig to read pods with")
	if err := flags.Parse(args); err != nil {
		return err
	}
	caPEM, err := os.ReadFile(*clientCA)
	if err != nil {
		return fmt.Errorf("--client-ca-file: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return fmt.Errorf("--client-ca-file %s holds no certificate", *clientCA)
	}
	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return fmt.Errorf("--kubeconfig: %w", err)
	}
	client, err := kubernetes.NewForConfig(config)
	if err != nil {
		return err
	}
	var credential *syscall.Credential
	if *uid >= 0 {
		credential = &syscall.Credential{Uid: uint32(*uid), Gid: uint32(*gid)}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux.HandleFunc("/exec/{namespace}/{pod}/{container}", func(w http.ResponseWriter, req *http.Request) {
		options, err := kubeletstreaming.NewOptions(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		namespace, pod, name := req.PathValue("namespace"), req.PathValue("pod"), req.PathValue("container")
		found, container, err := runningContainer(req.Context(), client, namespace, pod, name)
		if err == nil {
			err = mountEmptyDirs(found, container, credential)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		executor := localExecutor{credential: credential, env: containerEnv(container)}
		// The kubelet's own timeouts (k8s.io/kubelet/pkg/cri/streaming DefaultConfig).
		kubeletstreaming.ServeExec(w, req, executor, namespace+"/"+pod, "", name, req.URL.Query()["command"], options,
			4*time.Hour, remotecommandconsts.DefaultStreamCreationTimeout, remotecommandconsts.SupportedStreamingProtocols)
	})
	listener := &http.Server{
		Addr:    *address,
		Handler: mux,
		// Only the API server, with its kubelet client certificate, may run commands.
		TLSConfig:         &tls.Config{ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}
	return listener.ListenAndServeTLS(*certFile, *keyFile)
}
