CREATE TABLE "observations" (
	"id" text PRIMARY KEY NOT NULL,
	"exercise_id" text NOT NULL,
	"evaluator_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"scenario_ms" bigint NOT NULL,
	"agency_code" text,
	"inject_id" text,
	"capability" text,
	"kind" text NOT NULL,
	"text" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ratings" (
	"exercise_id" text NOT NULL,
	"objective_id" text NOT NULL,
	"target_id" text NOT NULL,
	"agency_code" text DEFAULT '' NOT NULL,
	"rating" text NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"evaluator_id" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ratings_exercise_id_objective_id_target_id_agency_code_pk" PRIMARY KEY("exercise_id","objective_id","target_id","agency_code")
);
--> statement-breakpoint
CREATE TABLE "rectification_items" (
	"id" text PRIMARY KEY NOT NULL,
	"exercise_id" text NOT NULL,
	"finding_id" text,
	"problem" jsonb NOT NULL,
	"cause" jsonb NOT NULL,
	"action" jsonb NOT NULL,
	"capability" text,
	"element" text NOT NULL,
	"agency_code" text,
	"owner" text,
	"due_date" text NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"verified_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reviews" (
	"exercise_id" text NOT NULL,
	"version" integer NOT NULL,
	"content" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reviews_exercise_id_version_pk" PRIMARY KEY("exercise_id","version")
);
--> statement-breakpoint
CREATE TABLE "self_assessments" (
	"exercise_id" text NOT NULL,
	"agency_code" text NOT NULL,
	"objective_id" text NOT NULL,
	"text" text NOT NULL,
	"user_id" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "self_assessments_exercise_id_agency_code_objective_id_pk" PRIMARY KEY("exercise_id","agency_code","objective_id")
);
--> statement-breakpoint
ALTER TABLE "observations" ADD CONSTRAINT "observations_exercise_id_exercises_id_fk" FOREIGN KEY ("exercise_id") REFERENCES "public"."exercises"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "observations" ADD CONSTRAINT "observations_evaluator_id_users_id_fk" FOREIGN KEY ("evaluator_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_exercise_id_exercises_id_fk" FOREIGN KEY ("exercise_id") REFERENCES "public"."exercises"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ratings" ADD CONSTRAINT "ratings_evaluator_id_users_id_fk" FOREIGN KEY ("evaluator_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rectification_items" ADD CONSTRAINT "rectification_items_exercise_id_exercises_id_fk" FOREIGN KEY ("exercise_id") REFERENCES "public"."exercises"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rectification_items" ADD CONSTRAINT "rectification_items_verified_by_exercises_id_fk" FOREIGN KEY ("verified_by") REFERENCES "public"."exercises"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_exercise_id_exercises_id_fk" FOREIGN KEY ("exercise_id") REFERENCES "public"."exercises"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reviews" ADD CONSTRAINT "reviews_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "self_assessments" ADD CONSTRAINT "self_assessments_exercise_id_exercises_id_fk" FOREIGN KEY ("exercise_id") REFERENCES "public"."exercises"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "self_assessments" ADD CONSTRAINT "self_assessments_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "observations_exercise" ON "observations" USING btree ("exercise_id");--> statement-breakpoint
CREATE INDEX "rectification_items_agency" ON "rectification_items" USING btree ("agency_code","status");