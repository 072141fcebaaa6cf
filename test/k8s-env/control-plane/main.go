// k8s-env: one binary for the local control plane; the first argument picks the component.
// The bodies are those of the upstream mains (k8s.io/kubernetes v1.34 cmd/*/main.go, etcd v3.6 server/main.go).
package main

import (
	"fmt"
	"os"
	_ "time/tzdata" // CronJob time zones, as the upstream kube-apiserver and kube-controller-manager mains

	"github.com/spf13/cobra"
	"go.etcd.io/etcd/server/v3/etcdmain"
	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
	scheduler "k8s.io/kubernetes/cmd/kube-scheduler/app"
)

var components = map[string]func() *cobra.Command{
	"kube-apiserver":          apiserver.NewAPIServerCommand,
	"kube-controller-manager": controllermanager.NewControllerManagerCommand,
	"kube-scheduler":          func() *cobra.Command { return scheduler.NewSchedulerCommand() },
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: k8s-env etcd|kube-apiserver|kube-controller-manager|kube-scheduler|exec-kubelet [flags]")
		os.Exit(2)
	}
	name := os.Args[1]
	// Each component parses os.Args[1:] as its own flags.
	os.Args = append([]string{name}, os.Args[2:]...)
	switch name {
	case "etcd":
		etcdmain.Main(os.Args)
		return
	case "exec-kubelet":
		if err := execKubelet(os.Args[1:]); err != nil {
			fmt.Fprintln(os.Stderr, "exec-kubelet:", err)
			os.Exit(1)
		}
		return
	}
	command, known := components[name]
	if !known {
		fmt.Fprintf(os.Stderr, "unknown component %q: use etcd, kube-apiserver, kube-controller-manager, kube-scheduler or exec-kubelet\n", name)
		os.Exit(2)
	}
	os.Exit(cli.Run(command()))
}
