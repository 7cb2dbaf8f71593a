-- AlterTable
ALTER TABLE "Team" ADD COLUMN     "defaultPolicyId" TEXT;

-- AddForeignKey
ALTER TABLE "Team" ADD CONSTRAINT "Team_defaultPolicyId_fkey" FOREIGN KEY ("defaultPolicyId") REFERENCES "ErrorBudgetPolicy"("id") ON DELETE SET NULL ON UPDATE CASCADE;
