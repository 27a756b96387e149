// Command secalerts is the Pulumi program. The program itself lives in
// package stack so the offline tool and the tests run exactly what
// `pulumi up` runs.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"secalerts/stack"
)

func main() {
	pulumi.Run(stack.Run)
}
