#!/usr/bin/env bash
# The README's FIFO and dead-letter walkthrough, runnable as is against a broker at $SLUICE_ENDPOINT.
set -euo pipefail
E="--endpoint-url ${SLUICE_ENDPOINT:-http://127.0.0.1:4566}"
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test} AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}

# A work queue whose messages go to orders-dlq after two failed receives.
aws $E sqs create-queue --queue-name orders-dlq >/dev/null
DLQ_URL=$(aws $E sqs get-queue-url --queue-name orders-dlq --query QueueUrl --output text)
DLQ_ARN=$(aws $E sqs get-queue-attributes --queue-url "$DLQ_URL" --attribute-names QueueArn --query Attributes.QueueArn --output text)
aws $E sqs create-queue --queue-name orders --attributes \
  "{\"VisibilityTimeout\":\"0\",\"RedrivePolicy\":\"{\\\"deadLetterTargetArn\\\":\\\"$DLQ_ARN\\\",\\\"maxReceiveCount\\\":\\\"2\\\"}\"}" >/dev/null
URL=$(aws $E sqs get-queue-url --queue-name orders --query QueueUrl --output text)

# A poison message: received twice without being deleted, the third receive moves it to the DLQ.
aws $E sqs send-message --queue-url "$URL" --message-body '{"orderId":42}' --query MessageId --output text
for attempt in 1 2 3; do aws $E sqs receive-message --queue-url "$URL" --query 'Messages[0].Body' --output text; done

# Inspect it in the DLQ: where it came from, how often it was received.
aws $E sqs receive-message --queue-url "$DLQ_URL" --attribute-names All --visibility-timeout 0 \
  --query 'Messages[0].[Body,Attributes.DeadLetterQueueSourceArn,Attributes.ApproximateReceiveCount]' --output text
aws $E sqs list-dead-letter-source-queues --queue-url "$DLQ_URL" --query queueUrls --output text

# After fixing the consumer: redrive everything back to where it came from, and watch the task finish.
aws $E sqs start-message-move-task --source-arn "$DLQ_ARN" --max-number-of-messages-per-second 50 >/dev/null
sleep 1
aws $E sqs list-message-move-tasks --source-arn "$DLQ_ARN" \
  --query 'Results[0].[Status,ApproximateNumberOfMessagesMoved]' --output text
aws $E sqs receive-message --queue-url "$URL" --query 'Messages[0].Body' --output text

# Ordered commands: one group per entity, duplicates within 5 minutes are dropped.
aws $E sqs create-queue --queue-name payments.fifo --attributes FifoQueue=true,ContentBasedDeduplication=true >/dev/null
FIFO=$(aws $E sqs get-queue-url --queue-name payments.fifo --query QueueUrl --output text)
for step in authorize capture capture; do
  aws $E sqs send-message --queue-url "$FIFO" --message-group-id order-42 --message-body "$step order-42" \
    --query SequenceNumber --output text
done
aws $E sqs receive-message --queue-url "$FIFO" --max-number-of-messages 10 --query 'Messages[].Body' --output text
