CREATE TABLE "exercise_scenarios" (
	"exercise_id" text PRIMARY KEY NOT NULL,
	"scenario_id" text NOT NULL,
	"package" jsonb NOT NULL,
	"seed" text NOT NULL,
	"random_count" integer DEFAULT 0 NOT NULL,
	"unannounced" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inject_acks" (
	"exercise_id" text NOT NULL,
	"inject_id" text NOT NULL,
	"agency_code" text NOT NULL,
	"user_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"scenario_ms" bigint NOT NULL,
	CONSTRAINT "inject_acks_exercise_id_inject_id_agency_code_pk" PRIMARY KEY("exercise_id","inject_id","agency_code")
);
--> statement-breakpoint
CREATE TABLE "inject_deliveries" (
	"exercise_id" text NOT NULL,
	"inject_id" text NOT NULL,
	"source" text NOT NULL,
	"action" text NOT NULL,
	"due_ms" bigint NOT NULL,
	"scenario_ms" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"late" boolean DEFAULT false NOT NULL,
	"content" jsonb,
	"by_user" text,
	CONSTRAINT "inject_deliveries_exercise_id_inject_id_pk" PRIMARY KEY("exercise_id","inject_id")
);
--> statement-breakpoint
CREATE TABLE "monitoring_views" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"exercise_id" text NOT NULL,
	"point_id" text NOT NULL,
	"user_id" text NOT NULL,
	"agency_code" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"scenario_ms" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "scenarios" (
	"id" text PRIMARY KEY NOT NULL,
	"builtin" boolean DEFAULT false NOT NULL,
	"hazard" text NOT NULL,
	"title_zh" text NOT NULL,
	"title_en" text NOT NULL,
	"package" jsonb NOT NULL,
	"imported_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "exercise_scenarios" ADD CONSTRAINT "exercise_scenarios_exercise_id_exercises_id_fk" FOREIGN KEY ("exercise_id") REFERENCES "public"."exercises"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inject_acks" ADD CONSTRAINT "inject_acks_exercise_id_exercises_id_fk" FOREIGN KEY ("exercise_id") REFERENCES "public"."exercises"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inject_acks" ADD CONSTRAINT "inject_acks_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inject_deliveries" ADD CONSTRAINT "inject_deliveries_exercise_id_exercises_id_fk" FOREIGN KEY ("exercise_id") REFERENCES "public"."exercises"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "inject_deliveries" ADD CONSTRAINT "inject_deliveries_by_user_users_id_fk" FOREIGN KEY ("by_user") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_views" ADD CONSTRAINT "monitoring_views_exercise_id_exercises_id_fk" FOREIGN KEY ("exercise_id") REFERENCES "public"."exercises"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "monitoring_views" ADD CONSTRAINT "monitoring_views_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "scenarios" ADD CONSTRAINT "scenarios_imported_by_users_id_fk" FOREIGN KEY ("imported_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "monitoring_views_exercise" ON "monitoring_views" USING btree ("exercise_id","point_id");