// Command delivery is the hub's delivery function: one Lambda function
// (provided.al2023, the binary named bootstrap) that receives every event of
// every customer bus and the tick, and runs the engine on them with
// DynamoDB, SNS, Systems Manager and HTTPS. Everything it decides is in
// package engine; this is the adapter around it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"secalerts/engine"
	"secalerts/engine/awsio"
)

// Where the function finds its plan and its state.
const (
	planFile = "plan.json"
	tableEnv = "SECALERTS_TABLE"
	// taskRootEnv is where Lambda extracted the function's archive (Lambda
	// Developer Guide, "Defined runtime environment variables":
	// LAMBDA_TASK_ROOT, "the path to your Lambda function code").
	taskRootEnv = "LAMBDA_TASK_ROOT"
)

func main() {
	f, err := start(context.Background(), os.Getenv, os.Stdout)
	if err != nil {
		// Exiting fails the init phase: Lambda reports it and the event is
		// retried, then kept in the on-failure queue, while the plan or the
		// environment is fixed.
		line, _ := json.Marshal(map[string]string{"invocation": "init", "error": err.Error()})
		fmt.Fprintln(os.Stderr, string(line))
		os.Exit(1)
	}
	lambda.Start(f.handle)
}

// start builds the function once per cold start: the plan, the SDK
// configuration (the default chain: the execution role's credentials and
// AWS_REGION in Lambda; AWS_ENDPOINT_URL where set), the engine.
func start(ctx context.Context, getenv func(string) string, stdout io.Writer) (*function, error) {
	plan, err := loadPlan(getenv)
	if err != nil {
		return nil, err
	}
	table := getenv(tableEnv)
	if table == "" {
		return nil, fmt.Errorf("starting the delivery function: %s is not set: it names the state table", tableEnv)
	}
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("starting the delivery function: loading the AWS configuration: %w", err)
	}
	metrics := awsio.NewEMF(stdout, nil)
	eng, err := engine.New(plan, engine.Options{
		Store:   awsio.NewDynamoStore(awsCfg, table),
		Sender:  awsio.NewSender(awsCfg, awsio.SenderOptions{}),
		Metrics: metrics,
	})
	if err != nil {
		return nil, fmt.Errorf("starting the delivery function: %w", err)
	}
	return &function{eng: eng, metrics: metrics, log: stdout}, nil
}

// loadPlan reads plan.json from the function's task root, or from beside
// the executable where there is none (a local run).
func loadPlan(getenv func(string) string) (*engine.Config, error) {
	dir := getenv(taskRootEnv)
	if dir == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("finding %s: %s is not set and the executable's directory is unknown: %w", planFile, taskRootEnv, err)
		}
		dir = filepath.Dir(exe)
	}
	path := filepath.Join(dir, planFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading %s: the function's archive must hold %s beside bootstrap: %w", path, planFile, err)
	} else if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	plan, err := engine.ParseConfig(data)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return plan, nil
}
