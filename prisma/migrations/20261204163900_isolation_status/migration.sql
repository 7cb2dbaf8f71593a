-- AlterTable
ALTER TABLE "PushTarget" ADD COLUMN     "deployState" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "lastAttemptAt" TIMESTAMP(3),
ADD COLUMN     "quarantine" JSONB NOT NULL DEFAULT '[]';

-- AlterTable
ALTER TABLE "Revision" ADD COLUMN     "quarantined" JSONB NOT NULL DEFAULT '[]';
