package awsio

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"secalerts/engine"
)

// Attribute names of the state table. pk and sk are its keys (string hash
// and range key); expiresAt is its TTL attribute.
const (
	attrPK      = "pk"
	attrSK      = "sk"
	attrVersion = "v"
	attrData    = "data"
	attrExpires = "expiresAt"
)

// DynamoStore is engine.Store on a DynamoDB table. It behaves as
// engine.MemoryStore does: every write is conditional on the version read,
// and an expired item is absent to every operation that reads it.
type DynamoStore struct {
	client *dynamodb.Client
	table  string
	// Now decides which items have expired; nil is time.Now.
	Now func() time.Time
	// PageSize is the Limit of each Query page; 0 leaves DynamoDB's own
	// page of at most 1 MB.
	PageSize int32
}

// NewDynamoStore returns the store on table, with the SDK configuration
// cfg.
func NewDynamoStore(cfg aws.Config, table string) *DynamoStore {
	return &DynamoStore{client: dynamodb.NewFromConfig(cfg), table: table}
}

func (s *DynamoStore) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// live reports whether it has not expired. DynamoDB "typically deletes
// expired items within two days of expiration" (DynamoDB API Reference,
// UpdateTimeToLive), in the background, and until then "they'll
// continue to show in read and write operations" (DynamoDB Developer
// Guide, "Working with expired items and time to live (TTL)"): the store
// filters them itself, as MemoryStore forgets them.
func (s *DynamoStore) live(it engine.Item) bool {
	return it.ExpiresAt.IsZero() || s.now().Before(it.ExpiresAt)
}

func keyAttrs(k engine.Key) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: k.PK},
		attrSK: &types.AttributeValueMemberS{Value: k.SK},
	}
}

func number(n int64) *types.AttributeValueMemberN {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(n, 10)}
}

// Get implements engine.Store. The read is strongly consistent: a delivery
// claimed or a heartbeat recorded a moment ago by another invocation must
// be seen, and an eventually consistent read may miss a recently completed
// write (DynamoDB Developer Guide, "DynamoDB read consistency").
func (s *DynamoStore) Get(ctx context.Context, key engine.Key) (engine.Item, bool, error) {
	out, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName: aws.String(s.table), Key: keyAttrs(key), ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return engine.Item{}, false, fmt.Errorf("reading state item %s/%s of table %s: %w", key.PK, key.SK, s.table, err)
	}
	if out.Item == nil {
		return engine.Item{}, false, nil
	}
	it, err := fromAttrs(out.Item)
	if err != nil {
		return engine.Item{}, false, fmt.Errorf("reading state item %s/%s of table %s: %w", key.PK, key.SK, s.table, err)
	}
	if !s.live(it) {
		return engine.Item{}, false, nil
	}
	return it, true, nil
}

// Put implements engine.Store with one conditional PutItem (DynamoDB
// Developer Guide, "Condition expressions": the write happens only if the
// condition holds when DynamoDB applies it, so two writers that read the
// same version cannot both succeed). An expired item that TTL has not yet
// deleted counts as absent, as it does for Get.
func (s *DynamoStore) Put(ctx context.Context, it engine.Item) error {
	item := keyAttrs(it.Key)
	item[attrVersion] = number(it.Version + 1)
	if len(it.Data) > 0 {
		item[attrData] = &types.AttributeValueMemberB{Value: it.Data}
	}
	if !it.ExpiresAt.IsZero() {
		// TTL reads a Number attribute holding Unix epoch seconds
		// (DynamoDB API Reference, UpdateTimeToLive: "the epoch time
		// format is the number of seconds elapsed since 12:00:00 AM
		// January 1, 1970 UTC").
		item[attrExpires] = number(it.ExpiresAt.Unix())
	}
	in := &dynamodb.PutItemInput{
		TableName:                aws.String(s.table),
		Item:                     item,
		ExpressionAttributeNames: map[string]string{"#exp": attrExpires},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": number(s.now().Unix()),
		},
	}
	if it.Version == 0 {
		in.ConditionExpression = aws.String("attribute_not_exists(" + attrPK + ") OR #exp <= :now")
	} else {
		in.ConditionExpression = aws.String("#v = :prev AND (attribute_not_exists(#exp) OR #exp > :now)")
		in.ExpressionAttributeNames["#v"] = attrVersion
		in.ExpressionAttributeValues[":prev"] = number(it.Version)
	}
	if _, err := s.client.PutItem(ctx, in); err != nil {
		return conflictOr(err, "writing state item %s/%s of table %s", it.Key.PK, it.Key.SK, s.table)
	}
	return nil
}

// Delete implements engine.Store with a DeleteItem conditional on the
// version. Like MemoryStore's, it removes an expired item of that version
// too: nothing reads it any more either way.
func (s *DynamoStore) Delete(ctx context.Context, key engine.Key, version int64) error {
	_, err := s.client.DeleteItem(ctx, &dynamodb.DeleteItemInput{
		TableName:                 aws.String(s.table),
		Key:                       keyAttrs(key),
		ConditionExpression:       aws.String("#v = :v"),
		ExpressionAttributeNames:  map[string]string{"#v": attrVersion},
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": number(version)},
	})
	if err != nil {
		return conflictOr(err, "deleting state item %s/%s of table %s", key.PK, key.SK, s.table)
	}
	return nil
}

// Query implements engine.Store. DynamoDB returns a partition's items in
// sort key order, strings "in order of UTF-8 bytes" (DynamoDB API
// Reference, Query, ScanIndexForward), which is Go's string order, the
// order MemoryStore sorts by; a Query stops at 1 MB or Limit and says where
// to go on (LastEvaluatedKey), so every page is read.
func (s *DynamoStore) Query(ctx context.Context, pk string) ([]engine.Item, error) {
	in := &dynamodb.QueryInput{
		TableName:                 aws.String(s.table),
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": attrPK},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
		ConsistentRead:            aws.Bool(true),
	}
	if s.PageSize > 0 {
		in.Limit = aws.Int32(s.PageSize)
	}
	var items []engine.Item
	for pages := dynamodb.NewQueryPaginator(s.client, in); pages.HasMorePages(); {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("querying state items %s of table %s: %w", pk, s.table, err)
		}
		for _, attrs := range page.Items {
			it, err := fromAttrs(attrs)
			if err != nil {
				return nil, fmt.Errorf("querying state items %s of table %s: %w", pk, s.table, err)
			}
			if s.live(it) {
				items = append(items, it)
			}
		}
	}
	return items, nil
}

// conflictOr maps a failed condition to engine.ErrConflict, which the
// engine acts on, and wraps any other error with what was being done.
func conflictOr(err error, format string, args ...any) error {
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		return fmt.Errorf(format+": %w", append(args, engine.ErrConflict)...)
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

// fromAttrs reads an item the store wrote.
func fromAttrs(attrs map[string]types.AttributeValue) (engine.Item, error) {
	var it engine.Item
	pk, ok1 := attrs[attrPK].(*types.AttributeValueMemberS)
	sk, ok2 := attrs[attrSK].(*types.AttributeValueMemberS)
	if !ok1 || !ok2 {
		return it, errors.New("the item has no string keys pk and sk")
	}
	it.Key = engine.Key{PK: pk.Value, SK: sk.Value}
	v, ok := attrs[attrVersion].(*types.AttributeValueMemberN)
	if !ok {
		return it, errors.New("the item has no version (Number attribute v)")
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil {
		return it, fmt.Errorf("the item's version: %w", err)
	}
	it.Version = n
	if d, ok := attrs[attrData].(*types.AttributeValueMemberB); ok {
		it.Data = d.Value
	}
	if e, ok := attrs[attrExpires].(*types.AttributeValueMemberN); ok {
		sec, err := strconv.ParseInt(e.Value, 10, 64)
		if err != nil {
			return it, fmt.Errorf("the item's expiresAt: %w", err)
		}
		it.ExpiresAt = time.Unix(sec, 0)
	}
	return it, nil
}
