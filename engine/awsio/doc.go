// Package awsio gives the delivery engine its AWS side: the state store on
// DynamoDB, the senders on SNS, Systems Manager and HTTPS, and metrics in
// CloudWatch's embedded metric format. The engine itself imports no AWS
// SDK, so replay and the tests run it on memory; this package is what the
// function adds around it.
package awsio
